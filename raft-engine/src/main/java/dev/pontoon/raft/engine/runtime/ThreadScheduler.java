package dev.pontoon.raft.engine.runtime;

import java.util.function.Consumer;

/** The production {@link NodeScheduler}: every queue a daemon thread, time from the JVM. */
final class ThreadScheduler implements NodeScheduler {

  static final ThreadScheduler INSTANCE = new ThreadScheduler();

  private ThreadScheduler() {}

  @Override
  public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return new BatchingThread<>(name, maxBatch, handler, onFailure);
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
