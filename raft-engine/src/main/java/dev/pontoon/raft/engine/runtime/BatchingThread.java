package dev.pontoon.raft.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * One thread that takes items from a multi-producer queue and handles them in batches: it
 * blocks for the first item, then drains whatever else is queued (up to a bound) and hands the
 * batch over in queue order. The node's event loop, sync worker and apply worker are each one.
 *
 * <p>Batching is what makes group commit work: while one batch is handled, new items pile up
 * and go together in the next one.
 *
 * @param <T> the item type
 */
final class BatchingThread<T> implements TaskQueue<T> {

  /** Wakes the thread up to see that it must stop. */
  private static final Object POISON = new Object();

  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private final int maxBatch;
  private final TaskQueue.Handler<T> handler;
  private final Consumer<Throwable> onFailure;
  private volatile boolean running = true;

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
    if (!isCurrentThread() && thread.isAlive()) {
      boolean interrupted = false;
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Items queued but never handled; call after {@link #stop()}. */
  @SuppressWarnings("unchecked")
  @Override
  public List<T> drain() {
    List<Object> rest = new ArrayList<>();
    queue.drainTo(rest);
    List<T> items = new ArrayList<>(rest.size());
    for (Object o : rest) {
      if (o != POISON) {
        items.add((T) o);
      }
    }
    return items;
  }

  @SuppressWarnings("unchecked")
  private void run() {
    List<Object> raw = new ArrayList<>();
    List<T> batch = new ArrayList<>();
    while (running) {
      try {
        raw.add(queue.take());
      } catch (InterruptedException e) {
        // Only stop() should end the thread; an interrupt from elsewhere is ignored.
        continue;
      }
      queue.drainTo(raw, maxBatch - 1);
      for (Object o : raw) {
        if (o != POISON) {
          batch.add((T) o);
        }
      }
      raw.clear();
      if (!running) {
        // Put the batch back for stop()'s drain, so that what waits on it is failed, not lost.
        requeueForDrain(batch);
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

  private void requeueForDrain(List<T> batch) {
    List<Object> rest = new ArrayList<>(batch);
    queue.drainTo(rest);
    queue.addAll(rest);
  }
}
