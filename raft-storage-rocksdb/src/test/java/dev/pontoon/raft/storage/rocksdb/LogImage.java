package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole content of a log store as a value: what the crash tests expect and what they
 * recover. Also a reference model: the {@code apply} methods mirror {@link LogStore}'s writes.
 */
final class LogImage {
  long firstIndex;
  long prefixTerm;
  HardState hardState;
  final List<LogEntry> entries;

  LogImage(long firstIndex, long prefixTerm, HardState hardState, List<LogEntry> entries) {
    this.firstIndex = firstIndex;
    this.prefixTerm = prefixTerm;
    this.hardState = hardState;
    this.entries = new ArrayList<>(entries);
  }

  static LogImage empty() {
    return new LogImage(1, 0, HardState.INITIAL, List.of());
  }

  /** Reads everything from {@code store}, verifying every checksum on the way. */
  static LogImage of(LogStore store) {
    long first = store.firstIndex();
    return new LogImage(first, store.term(first - 1), store.loadHardState(),
        store.entries(first, store.lastIndex() + 1, Long.MAX_VALUE));
  }

  LogImage copy() {
    return new LogImage(firstIndex, prefixTerm, hardState, entries);
  }

  long lastIndex() {
    return firstIndex + entries.size() - 1;
  }

  long termAt(long index) {
    return index == firstIndex - 1 ? prefixTerm : entries.get((int) (index - firstIndex)).term();
  }

  long lastTerm() {
    return termAt(lastIndex());
  }

  /** The commit index never names less than the compacted prefix (LogStore.saveHardState). */
  void saveHardState(HardState state) {
    hardState = state.commitIndex() >= firstIndex - 1 ? state : state.withCommitIndex(firstIndex - 1);
  }

  void append(List<LogEntry> batch) {
    entries.addAll(batch);
  }

  void truncateSuffix(long fromIndex) {
    if (fromIndex <= lastIndex()) {
      entries.subList((int) (fromIndex - firstIndex), entries.size()).clear();
    }
  }

  void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    if (lastIncludedIndex < firstIndex) {
      return;
    }
    if (lastIncludedIndex < lastIndex() && termAt(lastIncludedIndex) == lastIncludedTerm) {
      entries.subList(0, (int) (lastIncludedIndex + 1 - firstIndex)).clear();
    } else {
      entries.clear();
    }
    firstIndex = lastIncludedIndex + 1;
    prefixTerm = lastIncludedTerm;
    // The snapshot's entries are committed: the commit index rises with the truncation (LogStore.truncatePrefix).
    if (hardState.commitIndex() < lastIncludedIndex) {
      hardState = hardState.withCommitIndex(lastIncludedIndex);
    }
  }

  boolean sameAs(LogImage other) {
    return firstIndex == other.firstIndex && prefixTerm == other.prefixTerm && hardState.equals(other.hardState)
        && entries.equals(other.entries);
  }

  @Override
  public String toString() {
    return "log [" + firstIndex + ", " + lastIndex() + "] (term " + prefixTerm + " before, " + (entries.isEmpty()
        ? "empty" : "last term " + lastTerm()) + "), " + hardState;
  }
}
