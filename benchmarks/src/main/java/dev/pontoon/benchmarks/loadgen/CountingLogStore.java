package dev.pontoon.benchmarks.loadgen;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogStore;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link LogStore} that counts the {@link #sync()} calls made on it and passes every call,
 * unchanged, to the store it wraps. The load tool reads the count to report log syncs per
 * write; the wrapped store is neither changed nor slowed beyond one counter increment per
 * sync (a sync is one per group-commit batch, not one per write).
 *
 * <p>A sync is counted once it returned: a sync that throws is not counted, and the node stops
 * anyway (storage failures are fatal).
 *
 * <p><b>Threading.</b> As the wrapped store: one writer, any readers; {@link #syncs()} from any
 * thread. It owns the wrapped store: {@link #close()} closes it.
 */
final class CountingLogStore implements LogStore {

  private final LogStore delegate;
  private final LongAdder syncs = new LongAdder();

  CountingLogStore(LogStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  /** The {@link #sync()} calls that returned so far. */
  long syncs() {
    return syncs.sum();
  }

  @Override
  public void sync() {
    delegate.sync();
    syncs.increment();
  }

  @Override
  public HardState loadHardState() {
    return delegate.loadHardState();
  }

  @Override
  public void saveHardState(HardState state) {
    delegate.saveHardState(state);
  }

  @Override
  public void append(List<LogEntry> entries) {
    delegate.append(entries);
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    delegate.truncateSuffix(fromIndex);
  }

  @Override
  public void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    delegate.truncatePrefix(lastIncludedIndex, lastIncludedTerm);
  }

  @Override
  public boolean isDurable() {
    // The builder pairs a durable log with a durable snapshot store: answer as the real store.
    return delegate.isDurable();
  }

  @Override
  public long firstIndex() {
    return delegate.firstIndex();
  }

  @Override
  public long lastIndex() {
    return delegate.lastIndex();
  }

  @Override
  public long term(long index) {
    return delegate.term(index);
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
    return delegate.entries(fromIndex, toIndex, maxBytes);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "Counting(" + delegate + ")";
  }
}
