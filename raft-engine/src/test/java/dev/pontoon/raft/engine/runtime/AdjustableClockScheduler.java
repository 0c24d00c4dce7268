package dev.pontoon.raft.engine.runtime;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** The production scheduler (a thread per queue) on a clock the test can move forward at will. */
final class AdjustableClockScheduler extends ThreadsSchedulerWrapper {

  private final AtomicLong offsetNanos = new AtomicLong();

  /** Moves this node's clock forward by {@code duration}. */
  void advance(Duration duration) {
    offsetNanos.addAndGet(duration.toNanos());
  }

  @Override
  public long nanoTime() {
    return threads.nanoTime() + offsetNanos.get();
  }
}
