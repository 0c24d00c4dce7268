package dev.pontoon.raft.engine.runtime;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The production {@link NodeScheduler}: every queue a daemon thread, time from the JVM. The event
 * loop is a thread too, unless the host gives an executor to run its batches on
 * ({@link NodeScheduler#eventLoopOn}); with {@code sharedLoops}, its batches may also run on
 * other event loops' threads ({@link NodeScheduler#sharedLoopThreads}).
 */
final class ThreadScheduler implements NodeScheduler {

  static final ThreadScheduler INSTANCE = new ThreadScheduler(false, null);
  static final ThreadScheduler SHARED_LOOPS = new ThreadScheduler(true, null);

  /** Whether event loops are shareable {@link BatchingThread}s, whose batches other loops' threads may run. */
  private final boolean sharedLoops;
  /** Where the event loop's batches run ({@link ExecutorEventLoop}), or null for a thread of its own. */
  private final Executor loopExecutor;

  private ThreadScheduler(boolean sharedLoops, Executor loopExecutor) {
    this.sharedLoops = sharedLoops;
    this.loopExecutor = loopExecutor;
  }

  /** Event loops on {@code executor}; every other queue a thread. */
  static ThreadScheduler loopOn(Executor executor) {
    return new ThreadScheduler(false, Objects.requireNonNull(executor, "executor"));
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
    return new BatchingThread<>(name, maxBatch, handler, onFailure, sharedLoops);
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
