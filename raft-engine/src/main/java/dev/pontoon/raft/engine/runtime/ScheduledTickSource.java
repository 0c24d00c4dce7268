package dev.pontoon.raft.engine.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * Ticks every interval on its own thread. A tick is never fired early; after a stall (a long GC
 * pause, a starved machine) the missed ticks are dropped rather than fired in a burst, so a tick
 * count never runs ahead of the wall clock and a paused node does not time out all at once.
 * {@link #close()} waits for the thread to end.
 */
final class ScheduledTickSource implements TickSource {

  private final long intervalNanos;
  private final String threadName;
  private Thread thread;
  private volatile boolean closed;

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
    Objects.requireNonNull(onTick, "onTick");
    if (thread != null || closed) {
      throw new IllegalStateException("tick source " + threadName + " was already started");
    }
    thread = new Thread(() -> run(onTick), threadName);
    thread.setDaemon(true);
    thread.start();
  }

  private void run(Runnable onTick) {
    long next = System.nanoTime() + intervalNanos;
    while (!closed) {
      long now = System.nanoTime();
      if (now - next < 0) {
        LockSupport.parkNanos(this, next - now);
        continue;
      }
      onTick.run();
      next += intervalNanos;
      if (now - next >= 0) {
        next = now + intervalNanos;
      }
    }
  }

  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = thread;
    }
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    LockSupport.unpark(t);
    NodeRuntime.joinUninterruptibly(t);
  }
}
