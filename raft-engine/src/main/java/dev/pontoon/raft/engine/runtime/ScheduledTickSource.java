package dev.pontoon.raft.engine.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Ticks at a fixed rate on one scheduler thread. */
final class ScheduledTickSource implements TickSource {

  private final long intervalNanos;
  private final String threadName;
  private ScheduledExecutorService scheduler;
  private boolean closed;

  ScheduledTickSource(Duration interval, String threadName) {
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("tick interval (" + interval + ") must be positive");
    }
    this.intervalNanos = interval.toNanos();
    this.threadName = Objects.requireNonNull(threadName, "threadName");
  }

  @Override
  public synchronized void start(Runnable onTick) {
    if (scheduler != null || closed) {
      throw new IllegalStateException("tick source " + threadName + " was already started");
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleAtFixedRate(onTick, intervalNanos, intervalNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (scheduler == null) {
      return;
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
