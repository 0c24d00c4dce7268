package dev.pontoon.raft.engine.memory;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link LogStore} in memory, for tests, the simulator and embedding where durability is not
 * wanted.
 *
 * <p>It keeps what was synced apart from what was only written, so that a crash can be
 * modelled: {@link #durableCopy()} returns a store holding only what the last {@link #sync()}
 * made durable — the state a real store would recover after a crash.
 *
 * <p><b>Cost.</b> {@link #sync()} costs in proportion to the writes made since the previous sync,
 * not to the size of the log; {@link #durableCopy()} copies the whole durable log.
 *
 * <p><b>Threading.</b> Every method is synchronized: one writer and any number of readers.
 */
public final class InMemoryLogStore implements LogStore {

  /** The state visible to reads: every write called so far. */
  private final Image current;
  /** The state as of the last sync: what survives a crash. */
  private final Image durable;
  /**
   * The writes made to {@link #current} since the last sync, in call order; {@link #sync()}
   * replays them on {@link #durable}, so that both images go through the same code.
   */
  private final List<Consumer<Image>> unsynced = new ArrayList<>();

  /** An empty store: no entries, {@link HardState#INITIAL}. */
  public InMemoryLogStore() {
    this(new Image(new EntryList(), 1, 0, HardState.INITIAL));
  }

  private InMemoryLogStore(Image image) {
    this.current = image;
    this.durable = image.copy();
  }

  /** A new store holding only what was durable at the last {@link #sync()}. */
  public synchronized InMemoryLogStore durableCopy() {
    return crashCopy(0);
  }

  /** How many writes (hard state, appends, truncations) were made since the last {@link #sync()}. */
  public synchronized int unsyncedWrites() {
    return unsynced.size();
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
    if (keep < 0 || keep > unsynced.size()) {
      throw new IllegalArgumentException("keep (" + keep + ") must be in [0, " + unsynced.size() + "]");
    }
    Image image = durable.copy();
    for (int i = 0; i < keep; i++) {
      unsynced.get(i).accept(image);
    }
    return new InMemoryLogStore(image);
  }

  @Override
  public synchronized HardState loadHardState() {
    return current.hardState;
  }

  @Override
  public synchronized void saveHardState(HardState state) {
    Objects.requireNonNull(state, "state");
    // Entries a snapshot covers are committed: the commit index never names less (see LogStore).
    HardState kept = state.commitIndex() >= current.firstIndex - 1 ? state
        : state.withCommitIndex(current.firstIndex - 1);
    record(image -> image.hardState = kept);
  }

  @Override
  public synchronized void append(List<LogEntry> entries) {
    List<LogEntry> batch = List.copyOf(entries);
    long expected = lastIndex() + 1;
    long previousTerm = current.termAt(expected - 1);
    for (LogEntry e : batch) {
      if (e.index() != expected) {
        throw new IllegalArgumentException("append must continue the log: expected index " + expected
            + " but got " + e.index());
      }
      if (e.term() < previousTerm) {
        throw new IllegalArgumentException("entry " + e.index() + " has term " + e.term()
            + ", lower than its predecessor's term " + previousTerm);
      }
      previousTerm = e.term();
      expected++;
    }
    if (!batch.isEmpty()) {
      record(image -> {
        for (LogEntry e : batch) {
          image.entries.add(e);
        }
      });
    }
  }

  @Override
  public synchronized void truncateSuffix(long fromIndex) {
    if (fromIndex < current.firstIndex) {
      throw new IllegalArgumentException("cannot truncate from " + fromIndex + ": the log starts at "
          + current.firstIndex + " (compacted entries are committed)");
    }
    if (fromIndex <= lastIndex()) {
      record(image -> image.truncateSuffix(fromIndex));
    }
  }

  @Override
  public synchronized void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    if (lastIncludedIndex < current.firstIndex) {
      return;
    }
    // Retain the entries after the snapshot only if the log holds its last included entry with
    // the same term; otherwise discard the entire log (§7).
    boolean keepsSuffix = lastIncludedIndex < lastIndex() && current.termAt(lastIncludedIndex) == lastIncludedTerm;
    // One write: a crash keeps both the compaction and the commit index it raises, or neither.
    record(image -> {
      image.truncatePrefix(lastIncludedIndex, lastIncludedTerm, keepsSuffix);
      if (image.hardState.commitIndex() < lastIncludedIndex) {
        image.hardState = image.hardState.withCommitIndex(lastIncludedIndex);
      }
    });
  }

  @Override
  public synchronized void sync() {
    for (Consumer<Image> write : unsynced) {
      write.accept(durable);
    }
    unsynced.clear();
  }

  @Override
  public synchronized long firstIndex() {
    return current.firstIndex;
  }

  @Override
  public synchronized long lastIndex() {
    return current.lastIndex();
  }

  @Override
  public synchronized long term(long index) {
    if (index < current.firstIndex - 1) {
      throw new LogCompactedException(index, current.firstIndex);
    }
    if (index > lastIndex()) {
      throw new IndexOutOfBoundsException("index " + index + " is past the last index " + lastIndex());
    }
    return current.termAt(index);
  }

  @Override
  public synchronized List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
    if (fromIndex < current.firstIndex) {
      throw new LogCompactedException(fromIndex, current.firstIndex);
    }
    if (toIndex > lastIndex() + 1 || fromIndex > toIndex) {
      throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndex + ") is outside the log [" +
          current.firstIndex + ", " + (lastIndex() + 1) + ")");
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

  private void record(Consumer<Image> write) {
    write.accept(current);
    unsynced.add(write);
  }

  /** One full state of the store. */
  private static final class Image {
    final EntryList entries;
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

    long lastIndex() {
      return firstIndex + entries.size() - 1;
    }

    long termAt(long index) {
      return index == firstIndex - 1 ? prefixTerm : entries.get((int) (index - firstIndex)).term();
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
