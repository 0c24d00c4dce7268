package dev.pontoon.raft.engine.runtime;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A {@link TaskQueue} without a thread of its own: each item is handled at once, on the thread
 * that offers it. Used where the work is cheap enough to run on its producer's thread (the apply
 * worker, with {@code applyOnEventLoop}, and the inline side of {@link AdaptiveQueue}), which
 * saves a hand-off and a wake-up per batch.
 *
 * <p><b>Threading.</b> Items must be offered by one thread at a time (the event loop); the
 * handler is never re-entered.
 *
 * @param <T> the item type
 */
final class InlineQueue<T> implements TaskQueue<T> {

  private final TaskQueue.Handler<T> handler;
  private final Consumer<Throwable> onFailure;
  private volatile boolean stopping;
  /** The thread inside {@link #offer}'s handler call, or null. */
  private volatile Thread handling;

  InlineQueue(TaskQueue.Handler<T> handler, Consumer<Throwable> onFailure) {
    this.handler = Objects.requireNonNull(handler, "handler");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
  }

  @Override
  public void start() {}

  @Override
  public boolean offer(T item) {
    if (stopping) {
      return false;
    }
    if (handling != null) {
      throw new IllegalStateException("an inline queue's handler offered to its own queue");
    }
    handling = Thread.currentThread();
    try {
      handler.handle(List.of(item));
    } catch (Throwable t) {
      stopping = true;
      onFailure.accept(t);
    } finally {
      handling = null;
    }
    return true;
  }

  @Override
  public void stop() {
    stopping = true;
  }

  @Override
  public boolean isStopping() {
    return stopping;
  }

  @Override
  public List<T> drain() {
    return List.of();
  }

  @Override
  public boolean isCurrentThread() {
    return handling == Thread.currentThread();
  }
}
