package dev.pontoon.raft.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One thread that takes items from a multi-producer queue and handles them in batches: it
 * blocks for the first item, then drains whatever else is queued (up to a bound) and hands the
 * batch over in queue order. The node's event loop, sync worker and apply worker are each one.
 *
 * <p>Batching is what makes group commit work: while one batch is handled, new items pile up
 * and go together in the next one.
 *
 * <p>The queue takes no lock: producers add to a lock-free queue and wake the thread only when it
 * has said it is going to sleep, so a busy thread (the usual case under load) costs its producers
 * one CAS per item and no system call. The wake-up cannot be lost: the thread announces sleep
 * ({@code sleeping = true}) before it looks at the queue a last time, and a producer adds its item
 * before it reads {@code sleeping}; both are volatile accesses, so at least one of the two sees the
 * other's write (the item, or the announcement), and an unpark that comes before the park leaves
 * a permit that the park consumes.
 *
 * @param <T> the item type
 */
final class BatchingThread<T> implements TaskQueue<T> {

  /** Wakes the thread up to see that it must stop. */
  private static final Object POISON = new Object();

  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final int maxBatch;
  private final TaskQueue.Handler<T> handler;
  private final Consumer<Throwable> onFailure;
  private volatile boolean running = true;
  /** Set by the thread just before it parks for want of items; see the class comment. */
  private volatile boolean sleeping;

  BatchingThread(String name, int maxBatch, TaskQueue.Handler<T> handler, Consumer<Throwable> onFailure) {
    this.maxBatch = maxBatch;
    this.handler = Objects.requireNonNull(handler, "handler");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
  }

  @Override
  public void start() {
    thread.start();
  }

  /**
   * Queues {@code item}.
   *
   * @return false when the thread is stopping and the item will never be handled (the caller
   *     then fails whatever waits on it)
   */
  @Override
  public boolean offer(T item) {
    queue.add(item);
    if (sleeping) {
      LockSupport.unpark(thread);
    }
    // Once stop() has begun, whoever removes the item owns it: either this caller (false), or
    // stop()'s drain, whose caller fails it. Never both, never neither.
    return running || !queue.remove(item);
  }

  @Override
  public boolean isStopping() {
    return !running;
  }

  /** Whether the calling code runs on this thread. */
  @Override
  public boolean isCurrentThread() {
    return Thread.currentThread() == thread;
  }

  /** Asks the thread to stop after its current batch; waits for it unless called from it. */
  @Override
  public void stop() {
    running = false;
    queue.add(POISON);
    LockSupport.unpark(thread);
    if (!isCurrentThread()) {
      NodeRuntime.joinUninterruptibly(thread);
    }
  }

  /** Items queued but never handled; call after {@link #stop()}. */
  @Override
  public List<T> drain() {
    return QueueDrain.drain(queue, POISON);
  }

  @SuppressWarnings("unchecked")
  private void run() {
    List<T> batch = new ArrayList<>();
    while (running) {
      Object o = queue.poll();
      if (o == null) {
        awaitItem();
        continue;
      }
      int taken = 1;
      do {
        if (o != POISON) {
          batch.add((T) o);
        }
      } while (taken++ < maxBatch && (o = queue.poll()) != null);
      if (!running) {
        // Put the batch back for stop()'s drain, so that what waits on it is failed, not lost.
        QueueDrain.requeue(queue, batch);
        return;
      }
      try {
        handler.handle(batch);
      } catch (Throwable t) {
        onFailure.accept(t);
        return;
      } finally {
        batch.clear();
      }
    }
  }

  /**
   * Parks until a producer may have added an item. Returns at once if one is there; may return
   * spuriously (an interrupt, which only stop() should act on, or a stale permit): the caller
   * looks again.
   */
  private void awaitItem() {
    sleeping = true;
    try {
      if (queue.isEmpty() && running) {
        LockSupport.park(this);
      }
    } finally {
      sleeping = false;
    }
    Thread.interrupted();
  }

}
