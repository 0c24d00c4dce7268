package dev.pontoon.raft.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.function.BooleanSupplier;

/** What the event-loop queues ({@link BatchingThread}, {@link ExecutorEventLoop}) do alike when they stop. */
final class BatchQueues {

  private BatchQueues() {}

  /**
   * Puts a batch taken just as the queue stopped back in front of what is still queued, so that
   * stop()'s drain hands every item back in order and what waits on them is failed, not lost.
   */
  static <E> void putBackInFront(Queue<E> queue, List<? extends E> batch) {
    List<E> rest = new ArrayList<>(batch);
    E item;
    while ((item = queue.poll()) != null) {
      rest.add(item);
    }
    queue.addAll(rest);
  }

  /**
   * Waits on {@code monitor} while {@code batchUnderWay} holds, for a batch running on another
   * thread to end (its end calls {@code notifyAll} on the monitor); an interrupt is kept for later.
   */
  static void awaitBatchEnd(Object monitor, BooleanSupplier batchUnderWay) {
    boolean interrupted = false;
    synchronized (monitor) {
      while (batchUnderWay.getAsBoolean()) {
        try {
          monitor.wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
