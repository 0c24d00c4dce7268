package dev.pontoon.raft.engine.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The production {@link NodeScheduler}: every queue a daemon thread, time from the JVM. The event
 * loop is a thread too, unless the host gives an executor to run its batches on
 * ({@link NodeScheduler#eventLoopOn}); with {@code sharedLoops}, its batches may also run on
 * other event loops' threads ({@link NodeScheduler#sharedLoopThreads}), and with an idle spin
 * its thread spins that long for work before it parks ({@link NodeScheduler#threads(Duration)}).
 */
final class ThreadScheduler implements NodeScheduler {

  static final ThreadScheduler INSTANCE = new ThreadScheduler(false, null, 0);
  static final ThreadScheduler SHARED_LOOPS = new ThreadScheduler(true, null, 0);

  /** Longest idle spin accepted: a spin is for hand-offs of microseconds, not for waiting on I/O. */
  static final Duration MAX_IDLE_SPIN = Duration.ofMillis(1);

  /** Whether event loops are shareable {@link BatchingThread}s, whose batches other loops' threads may run. */
  private final boolean sharedLoops;
  /** Where the event loop's batches run ({@link ExecutorEventLoop}), or null for a thread of its own. */
  private final Executor loopExecutor;
  /** How long an event-loop thread spins for work before it parks. */
  private final long loopIdleSpinNanos;

  private ThreadScheduler(boolean sharedLoops, Executor loopExecutor, long loopIdleSpinNanos) {
    this.sharedLoops = sharedLoops;
    this.loopExecutor = loopExecutor;
    this.loopIdleSpinNanos = loopIdleSpinNanos;
  }

  /** Event loops on {@code executor}; every other queue a thread. */
  static ThreadScheduler loopOn(Executor executor) {
    return new ThreadScheduler(false, Objects.requireNonNull(executor, "executor"), 0);
  }

  /** Event loops on threads of their own (shareable with {@code sharedLoops}) that spin up to {@code idleSpin} before parking. */
  static ThreadScheduler spinningLoops(boolean sharedLoops, Duration idleSpin) {
    Objects.requireNonNull(idleSpin, "idleSpin");
    if (idleSpin.isNegative() || idleSpin.compareTo(MAX_IDLE_SPIN) > 0) {
      throw new IllegalArgumentException("idleSpin (" + idleSpin + ") must be in [0, " + MAX_IDLE_SPIN.toNanos() / 1000
          + " µs]");
    }
    return new ThreadScheduler(sharedLoops, null, idleSpin.toNanos());
  }

  @Override
  public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return new BatchingThread<>(name, maxBatch, handler, onFailure);
  }

  @Override
  public <T> TaskQueue<T> newEventLoop(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    if (loopExecutor != null) {
      return new ExecutorEventLoop<>(loopExecutor, maxBatch, handler, onFailure);
    }
    return new BatchingThread<>(name, maxBatch, handler, onFailure, sharedLoops, loopIdleSpinNanos);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Detached runDetached(String name, Runnable task) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.start();
    return () -> {
      if (t != Thread.currentThread()) {
        NodeRuntime.joinUninterruptibly(t);
      }
    };
  }
}
