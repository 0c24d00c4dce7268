package dev.pontoon.raft.engine.runtime;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JVM's one timer thread for {@link NodeScheduler#runLater}, started on first use. Its tasks
 * only hand work to a node's queue, so one thread serves every node.
 */
final class DelayTimer {

  private static final ScheduledThreadPoolExecutor TIMER = newTimer();

  private DelayTimer() {}

  static void schedule(long delayNanos, Runnable task) {
    TIMER.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
  }

  private static ScheduledThreadPoolExecutor newTimer() {
    return new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "pontoon-timer");
      t.setDaemon(true);
      return t;
    });
  }
}
