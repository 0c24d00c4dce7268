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
 *
 * <p>Invariants: {@code firstIndex() - 1 <= appliedIndex <= commitIndex <= lastIndex()}; terms
 * never decrease along the log; an index below the unstable offset is read from the durable tail
 * when it holds it, else from the store; the durable tail, when not empty, ends right below the
 * unstable offset, stays within its bounds and equals the store at the indexes it holds.
 */
final class RaftLog {

  private final LogReader storage;
  private final UnstableLog unstable;
  /** Highest index known committed (Figure 2 {@code commitIndex}); never decreases. */
  private long commitIndex;
  /** Highest index handed out in {@code Ready.committedEntries} (etcd's "applying"); never decreases. */
  private long appliedIndex;
  /**
   * Copies of the newest durable entries, so that committing them right after they were persisted
   * reads no store. They equal the store's entries at the same indexes because the store changes
   * only as this log tells it to: entries move here exactly when the store acknowledged them
   * ({@link #stableTo}), a conflicting suffix is cut here when it is cut from the log (§5.3), and a
   * snapshot restore, which replaces the store's log, empties it (§7). Compaction only removes a
   * prefix, which {@link #entries} refuses before looking here.
   */
  private final DurableTail durableTail;

  /** Bounds of the durable tail: at most this many entries... */
  static final int DURABLE_TAIL_MAX_ENTRIES = 4096;
  /** ...and at most this many bytes (by {@link LogEntry#sizeInBytes()}). */
  static final long DURABLE_TAIL_MAX_BYTES = 8L << 20;

  RaftLog(LogReader storage, long appliedIndex) {
    this(storage, appliedIndex, DURABLE_TAIL_MAX_ENTRIES, DURABLE_TAIL_MAX_BYTES);
  }

  RaftLog(LogReader storage, long appliedIndex, int tailMaxEntries, long tailMaxBytes) {
    this.storage = storage;
    this.durableTail = new DurableTail(tailMaxEntries, tailMaxBytes);
    long last = storage.lastIndex();
    if (appliedIndex > last || appliedIndex < storage.firstIndex() - 1) {
      throw new IllegalArgumentException("appliedIndex (" + appliedIndex + ") must lie within the log ["
          + (storage.firstIndex() - 1) + ", " + last + "]");
    }
    this.unstable = new UnstableLog(last + 1);
    // Applied entries were committed.
    this.commitIndex = appliedIndex;
    this.appliedIndex = appliedIndex;
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

  long appliedIndex() {
    return appliedIndex;
  }

  long firstIndex() {
    long fromSnapshot = unstable.maybeFirstIndex();
    return fromSnapshot >= 0 ? fromSnapshot : storage.firstIndex();
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
    if (index < firstIndex() - 1) {
      throw new LogCompactedException(index, firstIndex());
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

  /** The last index holding {@code term}, at or below {@code from}, or -1 when none does. */
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
    if (from < firstIndex()) {
      throw new LogCompactedException(from, firstIndex());
    }
    List<LogEntry> out = new ArrayList<>();
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

  boolean hasNextCommittedEntries() {
    return appliedIndex < commitIndex;
  }

  /** The committed entries not yet handed out, marking them handed out. */
  List<LogEntry> nextCommittedEntries() {
    if (appliedIndex >= commitIndex) {
      return List.of();
    }
    List<LogEntry> out = new ArrayList<>((int) Math.min(commitIndex - appliedIndex, 1024));
    while (appliedIndex < commitIndex) {
      List<LogEntry> chunk = entries(appliedIndex + 1, commitIndex + 1, Long.MAX_VALUE);
      out.addAll(chunk);
      appliedIndex += chunk.size();
    }
    return out;
  }

  /** Replaces the log with {@code snapshot}: everything up to its index is committed and applied. */
  void restore(Snapshot snapshot) {
    // §7: the snapshot replaces the whole log ("discard the entire log"), so no tail entry survives.
    durableTail.clear();
    unstable.restore(snapshot);
    commitIndex = snapshot.meta().lastIncludedIndex();
    appliedIndex = commitIndex;
  }

  void checkInvariants() {
    unstable.checkInvariants();
    if (appliedIndex > commitIndex || commitIndex > lastIndex() || appliedIndex < firstIndex() - 1) {
      throw new IllegalStateException("need firstIndex-1 <= applied <= commit <= last, got " + (firstIndex() - 1)
          + ", " + appliedIndex + ", " + commitIndex + ", " + lastIndex());
    }
    if (unstable.snapshot() == null && unstable.offset() > storage.lastIndex() + 1) {
      throw new IllegalStateException("unstable offset " + unstable.offset() + " leaves a hole after the store's "
          + storage.lastIndex());
    }
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
    // Equal to the store where both hold the entry (a prefix may have been compacted since).
    if (last >= storage.firstIndex() && last <= storage.lastIndex()
        && storage.term(last) != durableTail.get(last).term()) {
      throw new IllegalStateException("durable tail holds term " + durableTail.get(last).term() + " at " + last
          + " but the store holds term " + storage.term(last));
    }
  }

  @Override
  public String toString() {
    return "log[first=" + firstIndex() + ", last=" + lastIndex() + ", commit=" + commitIndex + ", applied="
        + appliedIndex + ", tail=" + durableTail.size() + ", " + unstable + "]";
  }
}
