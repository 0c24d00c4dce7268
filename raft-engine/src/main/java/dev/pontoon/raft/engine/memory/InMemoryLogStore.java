package dev.pontoon.raft.engine.memory;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.Appends;
import dev.pontoon.raft.storage.Compactions;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * A {@link LogStore} in memory, for tests, the simulator and embedding where durability is not
 * wanted.
 *
 * <p>It keeps what was synced apart from what was only written, so that a crash can be
 * modelled: {@link #durableCopy()} returns a store holding only what the last {@link #sync()}
 * made durable — the state a real store would recover after a crash.
 *
 * <p><b>Cost.</b> The store holds one image of the log, the state every write so far made, and
 * an undo record per write since the last sync; {@link #sync()} only forgets those records, and
 * a run of appends between two syncs shares one. {@link #durableCopy()}, {@link #crashCopy} and
 * {@link #processCrashCopy} copy the whole log and undo the unsynced writes on the copy. An entry
 * is held as its term and its payload's array ({@link dev.pontoon.raft.log.Bytes#unwrap()}),
 * neither a copy nor the {@code LogEntry} and {@code Bytes} handed in, so that a long log costs
 * the young collections at most one object per entry; reads wrap the array again.
 *
 * <p><b>Threading.</b> One writer and any number of readers: every method is synchronized, except
 * {@link #firstIndex()} and {@link #lastIndex()}, which read the bounds each write publishes
 * before it returns, both in one immutable object: a volatile read. The core asks for them several times per batch, and taking the lock
 * each time was about 6 % of the leader's loop-thread samples in a profile of the peer
 * comparison's in-memory job.
 */
public final class InMemoryLogStore implements LogStore {

  /** The state visible to reads: every write called so far. */
  private final Image current;
  /**
   * How to undo each write made to {@link #current} since the last sync, in call order: undoing
   * the last {@code n} of them, newest first, gives the state a crash could leave (what was
   * synced, plus a prefix of the later writes).
   */
  private final List<Undo> unsynced = new ArrayList<>();
  /**
   * {@code current}'s bounds, published by each write for lock-free reads: one reference, so that
   * a reader never pairs the first index of one state with the last index of another. Two calls
   * may see two states, as with two locked calls; the first index only rises, so a reader still
   * finds {@code lastIndex() >= firstIndex() - 1}.
   */
  private volatile Bounds published;

  /** An empty store: no entries, {@link HardState#INITIAL}. */
  public InMemoryLogStore() {
    this(new Image(new EntryList(), 1, 0, HardState.INITIAL));
  }

  private InMemoryLogStore(Image image) {
    this.current = image;
    publishBounds();
  }

  /** Makes {@link #firstIndex()} and {@link #lastIndex()} show {@code current}: under the lock, after each write. */
  private void publishBounds() {
    published = new Bounds(current.firstIndex, current.lastIndex());
  }

  /** The first and last index of one state of the store. */
  private record Bounds(long first, long last) {}

  /** A new store holding only what was durable at the last {@link #sync()}. */
  public synchronized InMemoryLogStore durableCopy() {
    return crashCopy(0);
  }

  /** How many writes (hard state, appends, truncations) were made since the last {@link #sync()}. */
  public synchronized int unsyncedWrites() {
    int writes = 0;
    for (Undo undo : unsynced) {
      writes += undo instanceof UndoAppends appends ? appends.calls : 1;
    }
    return writes;
  }

  /**
   * A new store as a crash could leave this one: what the last {@link #sync()} made durable, plus
   * the first {@code keep} writes made since, in call order. The {@link LogStore} contract allows
   * a crash to keep any such prefix of the unsynced writes, never a later write without an
   * earlier one.
   *
   * @param keep in {@code [0, unsyncedWrites()]}
   * @throws IllegalArgumentException if {@code keep} is out of range
   */
  public synchronized InMemoryLogStore crashCopy(int keep) {
    int writes = unsyncedWrites();
    if (keep < 0 || keep > writes) {
      throw new IllegalArgumentException("keep (" + keep + ") must be in [0, " + writes + "]");
    }
    Image image = current.copy();
    int toUndo = writes - keep;
    for (int i = unsynced.size() - 1; i >= 0 && toUndo > 0; i--) {
      toUndo -= unsynced.get(i).revert(image, toUndo);
    }
    return new InMemoryLogStore(image);
  }

  /**
   * A new store as a crash of the process alone could leave this one: as {@link #crashCopy}, but
   * the {@code keep} writes kept are not durable. They sit in the operating system's cache, where
   * the next process reads them, and a later crash of the machine may still lose any suffix of
   * them, until a {@link #sync()} of the new store makes them durable.
   *
   * @param keep in {@code [0, unsyncedWrites()]}
   * @throws IllegalArgumentException if {@code keep} is out of range
   */
  public synchronized InMemoryLogStore processCrashCopy(int keep) {
    InMemoryLogStore copy = crashCopy(keep);
    int left = keep;
    for (Undo undo : unsynced) {
      if (left == 0) {
        break;
      }
      if (undo instanceof UndoAppends appends) {
        UndoAppends kept = appends.firstCalls(left);
        copy.unsynced.add(kept);
        left -= kept.calls;
      } else {
        copy.unsynced.add(undo);
        left--;
      }
    }
    return copy;
  }

  @Override
  public synchronized HardState loadHardState() {
    return current.hardState;
  }

  @Override
  public synchronized void saveHardState(HardState state) {
    Objects.requireNonNull(state, "state");
    // Entries a snapshot covers are committed: the commit index never names less (see LogStore).
    HardState kept = state.withCommitIndexAtLeast(current.firstIndex - 1);
    unsynced.add(new UndoHardState(current.hardState));
    current.hardState = kept;
  }

  @Override
  public synchronized void append(List<LogEntry> entries) {
    Appends.requireContinuation(entries, current.firstIndex, current.lastIndex(),
        current.termAt(current.lastIndex()));
    if (entries.isEmpty()) {
      return;
    }
    if (entries instanceof RandomAccess) {
      // Indexed: a Ready's immutable list's iterator was an allocation per append on the loop.
      for (int i = 0; i < entries.size(); i++) {
        current.entries.add(entries.get(i));
      }
    } else {
      for (LogEntry e : entries) {
        current.entries.add(e);
      }
    }
    publishBounds();
    if (!unsynced.isEmpty() && unsynced.get(unsynced.size() - 1) instanceof UndoAppends last) {
      last.record(entries.size());
    } else {
      UndoAppends appends = new UndoAppends();
      appends.record(entries.size());
      unsynced.add(appends);
    }
  }

  @Override
  public synchronized void truncateSuffix(long fromIndex) {
    if (fromIndex < current.firstIndex) {
      throw new IllegalArgumentException("cannot truncate from " + fromIndex + ": the log starts at "
          + current.firstIndex + " (compacted entries are committed)");
    }
    if (fromIndex <= current.lastIndex()) {
      unsynced.add(new UndoSuffixTruncation(current.slice((int) (fromIndex - current.firstIndex), current.entries.size())));
      current.truncateSuffix(fromIndex);
      publishBounds();
    }
  }

  @Override
  public synchronized void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    if (lastIncludedIndex < current.firstIndex) {
      return;
    }
    // Before anything changes: bad input changes nothing (LogStore).
    Compactions.requireIndexAfter(lastIncludedIndex);
    // Retain the entries after the snapshot only if the log holds its last included entry with
    // the same term; otherwise discard the entire log (§7).
    boolean keepsSuffix = lastIncludedIndex < current.lastIndex() && current.termAt(lastIncludedIndex) == lastIncludedTerm;
    // One write: a crash keeps both the compaction and the commit index it raises, or neither.
    int dropped = keepsSuffix ? (int) (lastIncludedIndex + 1 - current.firstIndex) : current.entries.size();
    unsynced.add(new UndoPrefixTruncation(current.slice(0, dropped), current.firstIndex, current.prefixTerm,
        current.hardState));
    current.truncatePrefix(lastIncludedIndex, lastIncludedTerm, keepsSuffix);
    current.hardState = current.hardState.withCommitIndexAtLeast(lastIncludedIndex);
    publishBounds();
  }

  @Override
  public synchronized void sync() {
    unsynced.clear();
  }

  @Override
  public long firstIndex() {
    return published.first();
  }

  @Override
  public long lastIndex() {
    return published.last();
  }

  @Override
  public synchronized long term(long index) {
    if (index < current.firstIndex - 1) {
      throw new LogCompactedException(index, current.firstIndex);
    }
    if (index > current.lastIndex()) {
      throw new IndexOutOfBoundsException("index " + index + " is past the last index " + current.lastIndex());
    }
    return current.termAt(index);
  }

  @Override
  public synchronized List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
    if (fromIndex < current.firstIndex) {
      throw new LogCompactedException(fromIndex, current.firstIndex);
    }
    if (toIndex > current.lastIndex() + 1 || fromIndex > toIndex) {
      throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndex + ") is outside the log [" +
          current.firstIndex + ", " + (current.lastIndex() + 1) + ")");
    }
    List<LogEntry> out = new ArrayList<>();
    long bytes = 0;
    for (long i = fromIndex; i < toIndex; i++) {
      LogEntry e = current.entries.get((int) (i - current.firstIndex));
      bytes += e.sizeInBytes();
      if (!out.isEmpty() && bytes > maxBytes) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  /**
   * False: the "durable" image outlives a modelled crash ({@link #durableCopy()}) but not the
   * process, so the default in-memory snapshot store is a fitting partner.
   */
  @Override
  public boolean isDurable() {
    return false;
  }

  @Override
  public void close() {}

  /** How to revert one write, or a run of appends, on an image. */
  private sealed interface Undo permits UndoHardState, UndoAppends, UndoSuffixTruncation, UndoPrefixTruncation {
    /**
     * Reverts the newest {@code atMost} of the writes this record stands for (all of them if it
     * stands for fewer) and returns how many it reverted.
     */
    int revert(Image image, int atMost);
  }

  private record UndoHardState(HardState before) implements Undo {
    @Override
    public int revert(Image image, int atMost) {
      image.hardState = before;
      return 1;
    }
  }

  /** Consecutive appends, one count of entries per call, so that a crash can keep some of them. */
  private static final class UndoAppends implements Undo {
    private int[] sizes = new int[4];
    private int calls;

    void record(int entries) {
      if (calls == sizes.length) {
        sizes = Arrays.copyOf(sizes, calls * 2);
      }
      sizes[calls++] = entries;
    }

    /** A record of this one's first {@code atMost} calls (all of them if it has fewer). */
    UndoAppends firstCalls(int atMost) {
      UndoAppends first = new UndoAppends();
      for (int i = 0; i < Math.min(atMost, calls); i++) {
        first.record(sizes[i]);
      }
      return first;
    }

    @Override
    public int revert(Image image, int atMost) {
      int reverted = Math.min(atMost, calls);
      int entries = 0;
      for (int i = calls - reverted; i < calls; i++) {
        entries += sizes[i];
      }
      image.entries.keepFirst(image.entries.size() - entries);
      return reverted;
    }
  }

  /** A suffix truncation: the entries it removed. */
  private record UndoSuffixTruncation(List<LogEntry> removed) implements Undo {
    @Override
    public int revert(Image image, int atMost) {
      for (LogEntry e : removed) {
        image.entries.add(e);
      }
      return 1;
    }
  }

  /** A prefix truncation, with the commit index it may raise: the entries and bounds before it. */
  private record UndoPrefixTruncation(List<LogEntry> removed, long firstIndex, long prefixTerm, HardState hardState)
      implements Undo {
    @Override
    public int revert(Image image, int atMost) {
      EntryList restored = new EntryList();
      for (LogEntry e : removed) {
        restored.add(e);
      }
      for (int i = 0; i < image.entries.size(); i++) {
        restored.add(image.entries.get(i));
      }
      image.entries = restored;
      image.firstIndex = firstIndex;
      image.prefixTerm = prefixTerm;
      image.hardState = hardState;
      return 1;
    }
  }

  /** One full state of the store. */
  private static final class Image {
    EntryList entries;
    long firstIndex;
    long prefixTerm;
    HardState hardState;

    Image(EntryList entries, long firstIndex, long prefixTerm, HardState hardState) {
      this.entries = entries;
      this.firstIndex = firstIndex;
      this.prefixTerm = prefixTerm;
      this.hardState = hardState;
    }

    Image copy() {
      return new Image(entries.copy(), firstIndex, prefixTerm, hardState);
    }

    /** The entries at positions {@code [from, to)}. */
    List<LogEntry> slice(int from, int to) {
      List<LogEntry> out = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        out.add(entries.get(i));
      }
      return out;
    }

    long lastIndex() {
      return firstIndex + entries.size() - 1;
    }


    long termAt(long index) {
      return index == firstIndex - 1 ? prefixTerm : entries.term((int) (index - firstIndex));
    }

    void truncateSuffix(long fromIndex) {
      entries.keepFirst((int) (fromIndex - firstIndex));
    }

    void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm, boolean keepsSuffix) {
      if (keepsSuffix) {
        entries.dropFirst((int) (lastIncludedIndex + 1 - firstIndex));
      } else {
        entries.clear();
      }
      firstIndex = lastIncludedIndex + 1;
      prefixTerm = lastIncludedTerm;
    }
  }
}
