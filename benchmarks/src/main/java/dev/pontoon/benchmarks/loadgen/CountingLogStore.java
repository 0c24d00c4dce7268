package dev.pontoon.benchmarks.loadgen;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.ForwardingLogStore;
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
final class CountingLogStore extends ForwardingLogStore {

  private final LogStore delegate;
  private final LongAdder syncs = new LongAdder();

  CountingLogStore(LogStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  protected LogStore delegate() {
    return delegate;
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
  public String toString() {
    return "Counting(" + delegate + ")";
  }
}
