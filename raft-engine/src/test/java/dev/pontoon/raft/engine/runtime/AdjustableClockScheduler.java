package dev.pontoon.raft.engine.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** The production scheduler (a thread per queue) on a clock the test can move forward at will. */
final class AdjustableClockScheduler implements NodeScheduler {

  private final NodeScheduler threads = NodeScheduler.threads();
  private final AtomicLong offsetNanos = new AtomicLong();

  /** Moves this node's clock forward by {@code duration}. */
  void advance(Duration duration) {
    offsetNanos.addAndGet(duration.toNanos());
  }

  @Override
  public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return threads.newQueue(name, maxBatch, handler, onFailure);
  }

  @Override
  public long nanoTime() {
    return threads.nanoTime() + offsetNanos.get();
  }

  @Override
  public Detached runDetached(String name, Runnable task) {
    return threads.runDetached(name, task);
  }
}
