package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of the log (and a received snapshot) not yet known to be durable. Entries stay here
 * from the moment they are appended until the {@code Ready} that handed them out is advanced.
 *
 * <p>Invariants: {@code entries.get(k).index() == offset + k}; {@code offset <=
 * offsetInProgress <= offset + entries.size()}; entries {@code [offset, offsetInProgress)} were
 * handed out in a {@code Ready} and are being written; when {@code snapshot != null},
 * {@code offset == snapshot.lastIncludedIndex + 1}.
 */
final class UnstableLog {

  /** Index of {@code entries.get(0)}: everything below it is in the durable store. */
  private long offset;
  /**
   * One list for the node's life: a prefix made durable is cleared in place and new entries are
   * added one by one, so that a steady stream of appends reuses the same array instead of
   * copying into a new one at every {@link #stableTo} (a view from {@link #slice} is therefore
   * valid only until the next change).
   */
  private final ArrayList<LogEntry> entries = new ArrayList<>();
  private long offsetInProgress;
  private Snapshot snapshot;
  private boolean snapshotInProgress;

  UnstableLog(long offset) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  long offset() {
    return offset;
  }

  /** Number of entries held (handed out or not). */
  int size() {
    return entries.size();
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** Index of the first entry when a snapshot is pending, or -1 when the store knows it. */
  long maybeFirstIndex() {
    return snapshot != null ? snapshot.meta().lastIncludedIndex() + 1 : -1;
  }

  /** Index of the last entry held here (or of the pending snapshot), or -1 when the store knows it. */
  long maybeLastIndex() {
    if (!entries.isEmpty()) {
      return offset + entries.size() - 1;
    }
    return snapshot != null ? snapshot.meta().lastIncludedIndex() : -1;
  }

  /** The term at {@code index} if this part knows it, or -1. */
  long maybeTerm(long index) {
    if (index < offset) {
      if (snapshot != null && snapshot.meta().lastIncludedIndex() == index) {
        return snapshot.meta().lastIncludedTerm();
      }
      return -1;
    }
    long last = maybeLastIndex();
    if (last < 0 || index > last) {
      return -1;
    }
    return entries.get((int) (index - offset)).term();
  }

  /** Entries in {@code [from, to)}, all of which must be held here. */
  List<LogEntry> slice(long from, long to) {
    if (from < offset || to > offset + entries.size() || from > to) {
      throw new IndexOutOfBoundsException("unstable [" + from + ", " + to + ") is outside [" + offset + ", "
          + (offset + entries.size()) + ")");
    }
    return entries.subList((int) (from - offset), (int) (to - offset));
  }

  /** Entries not yet handed out for writing. */
  List<LogEntry> nextEntries() {
    int from = (int) (offsetInProgress - offset);
    return from >= entries.size() ? List.of() : List.copyOf(entries.subList(from, entries.size()));
  }

  /** The snapshot, if not yet handed out for installing. */
  Snapshot nextSnapshot() {
    return snapshot != null && !snapshotInProgress ? snapshot : null;
  }

  boolean hasNextEntries() {
    return offsetInProgress < offset + entries.size();
  }

  /** Everything currently held has been handed out in a {@code Ready}. */
  void acceptInProgress() {
    offsetInProgress = offset + entries.size();
    if (snapshot != null) {
      snapshotInProgress = true;
    }
  }

  /**
   * Entries up to {@code index} (of {@code term}) are durable. Ignored when the entry at
   * {@code index} was since replaced by a truncation (its term differs) or is already stable.
   */
  void stableTo(long index, long term) {
    if (index < offset || maybeTerm(index) != term) {
      return;
    }
    entries.subList(0, (int) (index + 1 - offset)).clear();
    offset = index + 1;
    offsetInProgress = Math.max(offsetInProgress, offset);
  }

  /** The pending snapshot at {@code index} is installed and durable. */
  void stableSnapshotTo(long index) {
    if (snapshot != null && snapshot.meta().lastIncludedIndex() == index) {
      snapshot = null;
      snapshotInProgress = false;
    }
  }

  /**
   * Appends {@code newEntries}, first dropping any held entry at or after the first new index
   * (a conflict: the caller checked that one exists and that it is not committed).
   */
  void truncateAndAppend(List<LogEntry> newEntries) {
    if (newEntries.isEmpty()) {
      return;
    }
    long from = newEntries.get(0).index();
    if (from == offset + entries.size()) {
      addAll(newEntries);
    } else if (from <= offset) {
      // Replaces everything held here, and the store's suffix from 'from' too.
      entries.clear();
      addAll(newEntries);
      offset = from;
      offsetInProgress = offset;
    } else {
      entries.subList((int) (from - offset), entries.size()).clear();
      addAll(newEntries);
      offsetInProgress = Math.min(offsetInProgress, from);
    }
  }

  /** One by one: {@code ArrayList.addAll} would first copy {@code newEntries} into an array of its own. */
  private void addAll(List<LogEntry> newEntries) {
    entries.ensureCapacity(entries.size() + newEntries.size());
    for (int i = 0; i < newEntries.size(); i++) {
      entries.add(newEntries.get(i));
    }
  }

  /** Replaces the whole log with {@code snap}: the log restarts after its last included index. */
  void restore(Snapshot snap) {
    snapshot = snap;
    snapshotInProgress = false;
    offset = snap.meta().lastIncludedIndex() + 1;
    offsetInProgress = offset;
    entries.clear();
  }

  void checkInvariants() {
    if (offsetInProgress < offset || offsetInProgress > offset + entries.size()) {
      throw new IllegalStateException("offsetInProgress " + offsetInProgress + " outside [" + offset + ", "
          + (offset + entries.size()) + "]");
    }
    for (int k = 0; k < entries.size(); k++) {
      if (entries.get(k).index() != offset + k) {
        throw new IllegalStateException("unstable entry " + k + " has index " + entries.get(k).index()
            + ", expected " + (offset + k));
      }
    }
    if (snapshot != null && snapshot.meta().lastIncludedIndex() + 1 != offset) {
      throw new IllegalStateException("pending snapshot at " + snapshot.meta().lastIncludedIndex()
          + " but offset is " + offset);
    }
  }

  @Override
  public String toString() {
    return "unstable[offset=" + offset + ", inProgress=" + offsetInProgress + ", entries=" + entries.size()
        + (snapshot != null ? ", snapshot=" + snapshot.meta().lastIncludedIndex() : "") + "]";
  }
}
