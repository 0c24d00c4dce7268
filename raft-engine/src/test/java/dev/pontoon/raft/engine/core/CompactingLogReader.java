package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogReader;
import java.util.List;

/**
 * A {@link LogReader} over an {@link InMemoryLogStore} whose prefix another party can compact
 * behind the core's back, as the runtime's sync thread does once a snapshot was saved (§7).
 *
 * <p>A compaction armed with {@link #compactAfterNextFirstIndex} takes effect right after the
 * core's next {@code firstIndex()} read returns: between the core checking a bound and reading an
 * index it believed was still there. That is the interleaving a slow store read (a
 * {@code term()} taking hundreds of microseconds) gives the sync thread in production; here it is
 * deterministic. Writes go to {@link #store} directly.
 */
final class CompactingLogReader implements LogReader {

  final InMemoryLogStore store;
  /** Last included index and term of the armed compaction; index -1 when none is armed. */
  private long armedIndex = -1;
  private long armedTerm;
  /** How many armed compactions took effect. */
  int compactions;

  CompactingLogReader(InMemoryLogStore store) {
    this.store = store;
  }

  /** The next {@code firstIndex()} returns the current first index, then the store discards the log up to {@code index}. */
  void compactAfterNextFirstIndex(long index, long term) {
    armedIndex = index;
    armedTerm = term;
  }

  @Override
  public long firstIndex() {
    long first = store.firstIndex();
    if (armedIndex >= 0) {
      store.truncatePrefix(armedIndex, armedTerm);
      store.sync();
      armedIndex = -1;
      compactions++;
    }
    return first;
  }

  @Override
  public long lastIndex() {
    return store.lastIndex();
  }

  @Override
  public long term(long index) {
    return store.term(index);
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
    return store.entries(fromIndex, toIndex, maxBytes);
  }
}
