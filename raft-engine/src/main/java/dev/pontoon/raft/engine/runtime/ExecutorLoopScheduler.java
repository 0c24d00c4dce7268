package dev.pontoon.raft.engine.runtime;

import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The production scheduler of {@link NodeScheduler#eventLoopOn}: the event loop's batches run as
 * tasks of the host's executor ({@link ExecutorEventLoop}); every other queue is a thread, as with
 * {@link NodeScheduler#threads()}.
 */
final class ExecutorLoopScheduler implements NodeScheduler {

  private final Executor executor;

  ExecutorLoopScheduler(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  @Override
  public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return ThreadScheduler.INSTANCE.newQueue(name, maxBatch, handler, onFailure);
  }

  @Override
  public <T> TaskQueue<T> newEventLoop(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return new ExecutorEventLoop<>(executor, maxBatch, handler, onFailure);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Detached runDetached(String name, Runnable task) {
    return ThreadScheduler.INSTANCE.runDetached(name, task);
  }
}
