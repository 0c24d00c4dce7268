package dev.pontoon.raft.engine.runtime;

import java.util.function.Consumer;

/**
 * The production {@link NodeScheduler}: every queue a daemon thread, time from the JVM; with
 * {@code sharedLoops}, event loops whose batches other event-loop threads may run.
 */
final class ThreadScheduler implements NodeScheduler {

  static final ThreadScheduler INSTANCE = new ThreadScheduler(false);
  static final ThreadScheduler SHARED_LOOPS = new ThreadScheduler(true);

  /** Whether event loops are shareable {@link BatchingThread}s, whose batches other loops' threads may run. */
  private final boolean sharedLoops;

  private ThreadScheduler(boolean sharedLoops) {
    this.sharedLoops = sharedLoops;
  }

  @Override
  public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return new BatchingThread<>(name, maxBatch, handler, onFailure);
  }

  @Override
  public <T> TaskQueue<T> newEventLoop(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
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
