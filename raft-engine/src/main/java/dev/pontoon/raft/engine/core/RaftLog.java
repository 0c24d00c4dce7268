package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.LogReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The log as the core sees it: the durable part through a {@link LogReader}, then the
 * {@link UnstableLog}, plus {@code commitIndex} and how far committed entries were handed out.
 * Its bounds are the core's own view, which only the core's thread changes: the log starts right
 * after the latest snapshot the core knows of, whatever the store still holds below it.
 *
 * <p>Invariants: {@code applied <= applying <= commitIndex <= lastIndex()};
 * {@code firstIndex() - 1 <= applying}; {@code snapshotIndex <= applying}; terms never decrease along the log; nothing at or below
 * {@code snapshotIndex} is read from the store; an index below the unstable offset is read from
 * the durable tail when it holds it, else from the store; the durable tail, when not empty, ends
 * right below the unstable offset, stays within its bounds and equals the store at the indexes it
 * holds.
 */
final class RaftLog {

  /* Implementation notes.
   *
   * The bounds. The runtime's sync thread writes the store while the core reads it, and it
   * compacts the store (truncatePrefix) once a snapshot is saved, at any moment after the core
   * was told of the snapshot. Had the core taken its first index from the store, a decision that
   * first checks a bound and then reads a term or entries it judged present (a heartbeat's
   * prevLogTerm, the search for a conflicting term, a send from nextIndex) would fail whenever a
   * compaction landed between the two reads; a slow store read is enough to make that likely.
   *
   * So the first index is max(store.firstIndex(), compactIndex + 1), where compactIndex is the
   * latest snapshot the core was told of (RaftCore.snapshotAvailable) or installed from a leader
   * (restore), less the catch-up margin the runtime keeps, and term(snapshotIndex) comes from the
   * snapshot's meta (the margin's entries and the term before them stay in the store). The runtime compacts only
   * up to a snapshot it announced before (the contract of RaftCore.snapshotAvailable), or one the
   * core handed out to install, so every index this view holds stays in the store, and the view's
   * first index is the same before, during and after such a compaction: the store's first index
   * only rises up to snapshotIndex + 1, which the max already takes. A store compacted further
   * than that breaks the contract; Replication still survives it for the follower concerned.
   */

  private final LogReader storage;
  private final UnstableLog unstable;
  /** Highest index known committed (Figure 2 {@code commitIndex}); never decreases. */
  private long commitIndex;
  /** Highest index handed out in {@code Ready.committedEntries} (etcd's "applying"); never decreases. */
  private long applying;
  /**
   * Highest index the state machine holds as far as the core knows: the start's applied index,
   * then what {@link #appliedTo} reported (etcd's "applied"); never decreases, at most
   * {@code applying}.
   */
  private long applied;
  /** Bytes of committed entries handed out but not yet reported applied, per Ready; bounds new handouts. */
  private final ApplyingWindow applyingWindow;
  /** Most bytes of committed entries in one Ready (at least one entry goes out). */
  private final long maxCommittedBytesPerReady;
  /**
   * Copies of the newest durable entries, so that committing them right after they were persisted
   * reads no store. They equal the store's entries at the same indexes because the store changes
   * only as this log tells it to: entries move here exactly when the store acknowledged them
   * ({@link #stableTo}), a conflicting suffix is cut here when it is cut from the log (§5.3), and a
   * snapshot restore, which replaces the store's log, empties it (§7). Compaction only removes a
   * prefix, which {@link #entries} refuses before looking here.
   */
  private final DurableTail durableTail;
  /**
   * Last included index of the latest snapshot the core knows of (announced, or installed from a
   * leader), 0 before any: the view's log starts after it (see the implementation notes). Only
   * rises, only on the core's thread; at most {@code applying}.
   */
  private long snapshotIndex;
  /** Term of the entry at {@code snapshotIndex}, from the snapshot's meta (0 before any snapshot). */
  private long snapshotTerm;
  /**
   * Highest index up to which the runtime may compact the store: the snapshot's index less the
   * catch-up margin it keeps (etcd's SnapshotCatchUpEntries), at most {@code snapshotIndex}. The
   * view starts after it, so entries the margin keeps are still sent to a follower slightly
   * behind instead of the whole snapshot. Only rises.
   */
  private long compactIndex;

  /** Bounds of the durable tail: at most this many entries... */
  static final int DURABLE_TAIL_MAX_ENTRIES = 4096;
  /** ...and at most this many bytes (by {@link LogEntry#sizeInBytes()}). */
  static final long DURABLE_TAIL_MAX_BYTES = 8L << 20;

  /** A log with the default bounds ({@link RaftConfig#defaults()}, the durable tail's constants). */
  RaftLog(LogReader storage, long appliedIndex) {
    this(storage, appliedIndex, RaftConfig.defaults());
  }

  RaftLog(LogReader storage, long appliedIndex, RaftConfig config) {
    this(storage, appliedIndex, config, DURABLE_TAIL_MAX_ENTRIES, DURABLE_TAIL_MAX_BYTES);
  }

  RaftLog(LogReader storage, long appliedIndex, int tailMaxEntries, long tailMaxBytes) {
    this(storage, appliedIndex, RaftConfig.defaults(), tailMaxEntries, tailMaxBytes);
  }

  /**
   * @param appliedIndex index up to which the state machine already holds the log; committed
   *     entries are handed out from the next one
   * @param config where the bounds on committed entries handed out come from
   */
  RaftLog(LogReader storage, long appliedIndex, RaftConfig config, int tailMaxEntries, long tailMaxBytes) {
    this.storage = storage;
    this.durableTail = new DurableTail(tailMaxEntries, tailMaxBytes);
    this.maxCommittedBytesPerReady = config.maxCommittedBytesPerReady();
    this.applyingWindow = new ApplyingWindow(config.maxApplyingBytes());
    long last = storage.lastIndex();
    if (appliedIndex > last || appliedIndex < storage.firstIndex() - 1) {
      throw new IllegalArgumentException("appliedIndex (" + appliedIndex + ") must lie within the log ["
          + (storage.firstIndex() - 1) + ", " + last + "]");
    }
    this.unstable = new UnstableLog(last + 1);
    // Applied entries were committed.
    this.commitIndex = appliedIndex;
    this.applying = appliedIndex;
    this.applied = appliedIndex;
  }

  UnstableLog unstable() {
    return unstable;
  }

  DurableTail durableTail() {
    return durableTail;
  }

  long commitIndex() {
    return commitIndex;
  }

  long applying() {
    return applying;
  }

  long applied() {
    return applied;
  }

  long snapshotIndex() {
    return snapshotIndex;
  }

  /**
   * The first index of the view: right after a snapshot being installed, else
   * {@code max(store.firstIndex(), compactIndex + 1)}. A compaction the runtime makes up to
   * {@code compactIndex} cannot change it.
   */
  long firstIndex() {
    long fromSnapshot = unstable.maybeFirstIndex();
    return fromSnapshot >= 0 ? fromSnapshot : Math.max(storage.firstIndex(), compactIndex + 1);
  }

  long lastIndex() {
    long fromUnstable = unstable.maybeLastIndex();
    return fromUnstable >= 0 ? fromUnstable : storage.lastIndex();
  }

  long lastTerm() {
    return term(lastIndex());
  }

  /**
   * The term at {@code index}, for {@code index} in {@code [firstIndex() - 1, lastIndex()]}.
   *
   * @throws LogCompactedException below that range
   * @throws IndexOutOfBoundsException above it
   */
  long term(long index) {
    long fromUnstable = unstable.maybeTerm(index);
    if (fromUnstable >= 0) {
      return fromUnstable;
    }
    if (index > lastIndex()) {
      throw new IndexOutOfBoundsException("index " + index + " is past the last index " + lastIndex());
    }
    long first = firstIndex();
    if (index < first - 1) {
      throw new LogCompactedException(index, first);
    }
    if (index == snapshotIndex) {
      // The store may be compacted up to here at any moment: the snapshot tells the term (§7).
      return snapshotTerm;
    }
    return storage.term(index);
  }

  /** Whether the log holds {@code index} with {@code term} (the §5.3 consistency check). */
  boolean matchTerm(long index, long term) {
    if (index > lastIndex() || index < firstIndex() - 1) {
      return false;
    }
    return term(index) == term;
  }

  /**
   * Whether a log ending at ({@code lastIndex}, {@code lastTerm}) is at least as up to date as
   * this one (§5.4.1: the later last term wins; with equal terms, the longer log).
   */
  boolean isUpToDate(long lastIndex, long lastTerm) {
    long myTerm = lastTerm();
    return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= lastIndex());
  }

  /**
   * The index of the first of {@code entries} that this log lacks or holds with another term,
   * or 0 when it holds them all.
   */
  long findConflict(List<LogEntry> entries) {
    for (LogEntry e : entries) {
      if (!matchTerm(e.index(), e.term())) {
        return e.index();
      }
    }
    return 0;
  }

  /**
   * The first index of the run of entries of the term at {@code index}, looking no further back
   * than {@code floor + 1} (entries up to {@code floor} are known to match the leader).
   */
  long firstIndexOfTermAt(long index, long floor) {
    long term = term(index);
    long first = index;
    long stop = Math.max(floor, firstIndex() - 1);
    while (first - 1 > stop && term(first - 1) == term) {
      first--;
    }
    return first;
  }

  /**
   * The last index holding {@code term}, at or below {@code from} and after {@code firstIndex() - 1},
   * or -1 when none does: the search never leaves the view.
   */
  long lastIndexOfTerm(long term, long from) {
    long floor = firstIndex() - 1;
    for (long i = Math.min(from, lastIndex()); i > floor; i--) {
      long t = term(i);
      if (t == term) {
        return i;
      }
      if (t < term) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * Appends {@code entries}, truncating any conflicting suffix first.
   *
   * @throws IllegalStateException if that would remove a committed entry: Raft never does
   *     (Leader Completeness, §5.4), so this is a safety bug, not an input error
   */
  void append(List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    long first = entries.get(0).index();
    if (first <= commitIndex) {
      throw new IllegalStateException("refusing to overwrite committed index " + first + " (commitIndex "
          + commitIndex + ")");
    }
    if (first > lastIndex() + 1) {
      throw new IllegalStateException("append at " + first + " would leave a hole after " + lastIndex());
    }
    // §5.3: "If an existing entry conflicts with a new one (same index but different terms), delete
    // the existing entry and all that follow it". The store drops them when it writes the new ones;
    // the tail drops them now, so that it never serves an entry the log no longer holds.
    durableTail.truncateFrom(first);
    unstable.truncateAndAppend(entries);
  }

  /**
   * Entries up to {@code index} (of {@code term}) are durable: they leave the unstable log for the
   * durable tail. Ignored, like {@link UnstableLog#stableTo}, when the entry at {@code index} was
   * since replaced or is already stable. By the Log Matching Property (§5.3) the entry with this
   * index and term, and every one before it, is the one the store just persisted.
   */
  void stableTo(long index, long term) {
    long offset = unstable.offset();
    if (index >= offset && unstable.maybeTerm(index) == term) {
      durableTail.append(unstable.slice(offset, index + 1));
    }
    unstable.stableTo(index, term);
  }

  /**
   * Entries in {@code [from, to)}, at most {@code maxBytes} of them (at least one when the range
   * is not empty).
   */
  List<LogEntry> entries(long from, long to, long maxBytes) {
    if (from >= to) {
      return List.of();
    }
    long first = firstIndex();
    if (from < first) {
      throw new LogCompactedException(from, first);
    }
    List<LogEntry> out = new ArrayList<>(presized(to - from));
    long offset = unstable.offset();
    // The store serves [from, tailFirst), the durable tail [tailFirst, offset), the unstable log the rest.
    long tailFirst = durableTail.isEmpty() ? offset : durableTail.firstIndex();
    long bytes = 0;
    if (from < tailFirst) {
      long storeTo = Math.min(to, tailFirst);
      List<LogEntry> stored = storage.entries(from, storeTo, maxBytes);
      for (LogEntry e : stored) {
        bytes += e.sizeInBytes();
      }
      out.addAll(stored);
      if (to <= tailFirst || stored.size() < storeTo - from) {
        return out;
      }
    }
    for (long i = Math.max(from, tailFirst); i < Math.min(to, offset); i++) {
      LogEntry e = durableTail.get(i);
      bytes += e.sizeInBytes();
      if (!out.isEmpty() && bytes > maxBytes) {
        return out;
      }
      out.add(e);
    }
    if (to <= offset) {
      return out;
    }
    for (LogEntry e : unstable.slice(Math.max(from, offset), to)) {
      bytes += e.sizeInBytes();
      if (!out.isEmpty() && bytes > maxBytes) {
        break;
      }
      out.add(e);
    }
    return out;
  }

  /** Raises {@code commitIndex} to {@code index} (never lowers it). */
  void commitTo(long index) {
    if (index <= commitIndex) {
      return;
    }
    if (index > lastIndex()) {
      throw new IllegalStateException("commit index " + index + " is past the last index " + lastIndex());
    }
    commitIndex = index;
  }

  /** Whether {@link #nextCommittedEntries} would hand out something: entries are committed and not paused. */
  boolean hasNextCommittedEntries() {
    return applying < commitIndex && !applyingWindow.paused();
  }

  /**
   * The next committed entries to hand out, in log order, marking them handed out: at most
   * {@code maxCommittedBytesPerReady} of them but at least one, and only as many as fit in the
   * applying window beside those handed out and not yet applied, except one entry alone when the
   * window is empty (etcd: MaxCommittedSizePerReady and the applying pause). Empty while paused.
   */
  List<LogEntry> nextCommittedEntries() {
    if (!hasNextCommittedEntries()) {
      return List.of();
    }
    List<LogEntry> out = new ArrayList<>(presized(commitIndex - applying));
    long bytes = 0;
    long next = applying + 1;
    while (next <= commitIndex) {
      // A hint for the store: every entry is checked below, as it may return one more than asked.
      long want = Math.max(1, Math.min(maxCommittedBytesPerReady, applyingWindow.room()) - bytes);
      for (LogEntry e : entries(next, commitIndex + 1, want)) {
        long size = e.sizeInBytes();
        if (!applyingWindow.fits(bytes, size)) {
          List<LogEntry> handedOut = handOut(out, bytes);
          applyingWindow.block(size); // paused until appliedTo makes room for this entry
          return handedOut;
        }
        if (!out.isEmpty() && bytes + size > maxCommittedBytesPerReady) {
          return handOut(out, bytes);
        }
        out.add(e);
        bytes += size;
        next++;
      }
    }
    return handOut(out, bytes);
  }

  /**
   * Room for a list of {@code count} entries, capped: a list grown from the default ten entries
   * copies itself again and again at every batch of a busy leader (a tenth of what the in-memory
   * cluster allocated), while a cap keeps a bound on what a byte-limited range may not fill.
   */
  private static int presized(long count) {
    return (int) Math.min(count, 1024);
  }

  private List<LogEntry> handOut(List<LogEntry> entries, long bytes) {
    if (!entries.isEmpty()) {
      applying = entries.get(entries.size() - 1).index();
      applyingWindow.add(applying, bytes);
    }
    return entries;
  }

  /**
   * The state machine applied every handed-out committed entry up to {@code index}. Reporting an
   * index at or below one reported before changes nothing.
   *
   * @throws IllegalArgumentException before changing anything, if {@code index} is negative or
   *     past the last entry handed out for applying
   */
  void appliedTo(long index) {
    if (index < 0 || index > applying) {
      throw new IllegalArgumentException("appliedTo(" + index + ") must lie within [0, " + applying
          + "], the entries handed out for applying");
    }
    if (index <= applied) {
      return;
    }
    applied = index;
    applyingWindow.freeLE(index);
  }

  /**
   * The runtime holds a snapshot of the log up to {@code index} (of {@code term}) and may compact
   * the store up to it from now on: the view starts after it. An older snapshot changes nothing.
   *
   * @throws IllegalArgumentException before changing anything, if the snapshot covers entries not
   *     yet handed out for applying, or disagrees with the log on the term at {@code index}
   */
  void snapshotAvailable(long index, long term) {
    snapshotAvailable(index, term, index);
  }

  /** As {@link #snapshotAvailable(long, long)}, the store compacted only up to {@code compactTo}. */
  void snapshotAvailable(long index, long term, long compactTo) {
    if (compactTo > index || compactTo < 0) {
      throw new IllegalArgumentException("compaction point " + compactTo + " must be in [0, " + index + "]");
    }
    if (index <= snapshotIndex) {
      return;
    }
    if (index > applying) {
      throw new IllegalArgumentException("snapshot at " + index + " covers entries not yet handed out for applying "
          + "(up to " + applying + ")");
    }
    if (index >= firstIndex() - 1 && term(index) != term) {
      throw new IllegalArgumentException("snapshot at " + index + " has term " + term + " but the log holds term "
          + term(index) + " there");
    }
    snapshotIndex = index;
    snapshotTerm = term;
    compactIndex = Math.max(compactIndex, compactTo);
  }

  /** Replaces the log with {@code snapshot}: everything up to its index is committed and applied. */
  void restore(Snapshot snapshot) {
    // §7: the snapshot replaces the whole log ("discard the entire log"), so no tail entry survives.
    durableTail.clear();
    unstable.restore(snapshot);
    commitIndex = snapshot.meta().lastIncludedIndex();
    // Entries handed out before stay in the window until appliedTo covers them (the snapshot's index does).
    applying = commitIndex;
    applyingWindow.unblock();
    snapshotIndex = commitIndex;
    snapshotTerm = snapshot.meta().lastIncludedTerm();
    compactIndex = snapshotIndex;
  }

  void checkInvariants() {
    unstable.checkInvariants();
    if (applied > applying || applying > commitIndex || commitIndex > lastIndex() || applying < firstIndex() - 1) {
      throw new IllegalStateException("need applied <= applying <= commit <= last and firstIndex-1 <= applying, got "
          + applied + ", " + applying + ", " + commitIndex + ", " + lastIndex() + " and " + (firstIndex() - 1));
    }
    if (snapshotIndex > applying) {
      throw new IllegalStateException("snapshot at " + snapshotIndex + " is past the entries handed out for applying ("
          + applying + ")");
    }
    if (unstable.snapshot() == null && unstable.offset() > storage.lastIndex() + 1) {
      throw new IllegalStateException("unstable offset " + unstable.offset() + " leaves a hole after the store's "
          + storage.lastIndex());
    }
    applyingWindow.checkInvariants(applied, applying);
    checkDurableTail();
    long previous = 0;
    for (long i = Math.max(firstIndex() - 1, lastIndex() - 64); i <= lastIndex(); i++) {
      long t = i == 0 ? 0 : term(i);
      if (t < previous) {
        throw new IllegalStateException("term decreases at index " + i + ": " + t + " < " + previous);
      }
      previous = t;
    }
  }

  private void checkDurableTail() {
    durableTail.checkInvariants();
    if (durableTail.isEmpty()) {
      return;
    }
    long last = durableTail.lastIndex();
    if (last + 1 != unstable.offset()) {
      throw new IllegalStateException("durable tail ends at " + last + ", not right below the unstable offset "
          + unstable.offset());
    }
    // Equal to the store where both hold the entry (a prefix may have been compacted since), and
    // only within the view: the store may be compacting what lies below it.
    if (last >= firstIndex() && last <= storage.lastIndex()
        && storage.term(last) != durableTail.get(last).term()) {
      throw new IllegalStateException("durable tail holds term " + durableTail.get(last).term() + " at " + last
          + " but the store holds term " + storage.term(last));
    }
  }

  @Override
  public String toString() {
    return "log[first=" + firstIndex() + ", last=" + lastIndex() + ", commit=" + commitIndex + ", applying="
        + applying + ", applied=" + applied + ", " + applyingWindow + ", snapshot=" + snapshotIndex + ", tail=" + durableTail.size() + ", " + unstable + "]";
  }
}
