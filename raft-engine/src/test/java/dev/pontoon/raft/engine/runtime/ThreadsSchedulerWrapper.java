package dev.pontoon.raft.engine.runtime;

import java.util.function.Consumer;

/**
 * The production scheduler ({@link NodeScheduler#threads()}: a thread per queue) for a test to
 * wrap: queues, the clock and detached tasks go to it unless a subclass overrides them. The event
 * loop and timers keep {@link NodeScheduler}'s defaults (a plain queue, the shared delay timer).
 */
abstract class ThreadsSchedulerWrapper implements NodeScheduler {

  /** The wrapped production scheduler. */
  protected final NodeScheduler threads = NodeScheduler.threads();

  @Override
  public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return threads.newQueue(name, maxBatch, handler, onFailure);
  }

  @Override
  public long nanoTime() {
    return threads.nanoTime();
  }

  @Override
  public Detached runDetached(String name, Runnable task) {
    return threads.runDetached(name, task);
  }
}
