package dev.pontoon.raft.engine.runtime;

import java.util.List;

/**
 * A queue of one kind of a node's work (event loop, sync, apply, snapshot), handled one batch at
 * a time and in queue order, never two batches at once. Production runs each queue on its own
 * thread ({@link NodeScheduler#threads()}); the simulator runs every queue of every node on one
 * thread and chooses, from its seed, which runnable queue goes next.
 *
 * <p><b>Threading.</b> {@link #offer} may be called from any thread. {@link #stop()} waits for a
 * batch under way to end unless it is called from that batch. {@link #drain()} is called once
 * the queue has stopped.
 *
 * @param <T> the item type
 */
public interface TaskQueue<T> {

  /** Handles one batch, in order, on the queue's thread. */
  @FunctionalInterface
  interface Handler<T> {
    void handle(List<T> batch) throws Exception;
  }

  /** Starts handling items. Called once. */
  void start();

  /**
   * Queues {@code item}.
   *
   * @return false when the queue is stopping and the item will never be handled (the caller
   *     then fails whatever waits on it)
   */
  boolean offer(T item);

  /** Asks the queue to stop after its current batch; waits for that batch unless called from it. */
  void stop();

  /** Whether {@link #stop()} was called. */
  boolean isStopping();

  /** Items queued but never handled; call after {@link #stop()}. */
  List<T> drain();

  /** Whether the calling code runs inside one of this queue's batches. */
  boolean isCurrentThread();

  /**
   * Told, from the tick thread, that work queued a tick ago has still not run. A queue that can
   * tell its work will never run (its executor was shut down under it) fails as a refusal, so
   * the node stops and answers what waits. Default: nothing (a queue with a thread of its own).
   */
  default void stalled() {}
}
