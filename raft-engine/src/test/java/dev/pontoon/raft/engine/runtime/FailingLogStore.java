package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.ForwardingLogStore;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.StorageException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real in-memory store whose sync fails, or stalls, on command, as a dying or slow disk would.
 * It stands for a disk, so it reports itself durable (the {@link LogStore#isDurable()} default):
 * a node built on it needs an explicit snapshot store.
 */
final class FailingLogStore extends ForwardingLogStore {

  private final InMemoryLogStore delegate = new InMemoryLogStore();

  @Override
  protected LogStore delegate() {
    return delegate;
  }

  /** It stands for a disk (syncs can stall and fail), so it answers as a durable store does. */
  @Override
  public boolean isDurable() {
    return true;
  }
  private volatile boolean failing;
  private volatile CountDownLatch stall = new CountDownLatch(0);
  private final AtomicInteger stalledSyncs = new AtomicInteger();
  private volatile int closes;

  /** From now on every sync waits until {@link #resumeSyncs()}. */
  void stallSyncs() {
    stall = new CountDownLatch(1);
  }

  /** Lets stalled and later syncs proceed. */
  void resumeSyncs() {
    stall.countDown();
  }

  /** How many syncs are waiting or have waited on a stall. */
  int stalledSyncs() {
    return stalledSyncs.get();
  }

  /** Index of the last entry the last completed sync made durable: what a crash now would keep. */
  long durableLastIndex() {
    return delegate.durableCopy().lastIndex();
  }

  /** The term of the hard state the last completed sync made durable: what a restart now would recover. */
  long durableTerm() {
    return delegate.durableCopy().loadHardState().currentTerm();
  }

  /** From now on every sync throws. */
  void failSyncs() {
    failing = true;
  }

  int closes() {
    return closes;
  }

  @Override
  public void sync() {
    CountDownLatch current = stall;
    if (current.getCount() > 0) {
      stalledSyncs.incrementAndGet();
      try {
        current.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted while stalled");
      }
    }
    if (failing) {
      throw new StorageException("disk failed");
    }
    delegate.sync();
  }

  @Override
  public void close() {
    closes++;
  }
}
