package dev.pontoon.raft.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A node's event loop without a thread of its own: each batch runs as one task of an
 * {@link Executor} the host gives ({@link NodeScheduler#eventLoopOn}), such as the I/O event
 * loop of the node's transport. A message the transport reads on that thread then joins the
 * loop's queue without waking anyone, and the batch runs after the transport's current round of
 * reads, so every message of the round shares it (group commit is kept).
 *
 * <p><b>One batch at a time.</b> At most one batch task is scheduled or running
 * ({@code scheduled}); it is set before the task is handed to the executor and cleared only when
 * the task ends, so batches never overlap, whatever the executor's threads, and each one's work
 * happens-before the next one's. A task runs at most one batch of up to {@code maxBatch} items
 * and then schedules the next one, so the executor's other work (the transport's reads and
 * writes) gets its turn between batches.
 *
 * <p><b>No lost item.</b> A producer adds its item before it tries to schedule; a task clears
 * {@code scheduled} before it looks at the queue a last time. One of the two sees the other.
 *
 * <p><b>No nesting.</b> An executor may run a task on the thread that hands it over (a pool with
 * {@code CallerRunsPolicy} when saturated, a direct executor). The next batch's task, handed over
 * at the end of a batch, then runs inside that batch's {@code execute} call; a task that finds
 * itself there (on {@code BatchTask.handedOverBy}, at a batch end) leaves its batch to the task
 * below it, which runs it once {@code execute} returns. So batches follow each other in a loop, not down the stack, and
 * a thread the executor lends keeps running batches for as long as it hands each next task back.
 *
 * <p><b>No task trusted blindly.</b> An {@link ExecutorService} shut down with
 * {@code shutdownNow()} (or a Netty event loop terminated) while the batch task waits in its
 * queue drops the task without refusing it, and {@code scheduled} would stay set with no task to
 * clear it. So an offer that finds a task scheduled asks such an executor whether it is shut
 * down; if it is, the loop fails as if the executor had refused the task (its next hand-over
 * would be refused anyway).
 *
 * <p><b>The executor's threads.</b> A thread of the executor that runs a batch (the one thread
 * of a single-thread executor, such as a Netty event loop) is one the loop needs again: it
 * becomes a node thread for good ({@link NodeThreads#adopt()}), where no {@code close()} waits.
 * A thread that only ran a batch inside its own {@code execute} call (a direct executor,
 * {@code CallerRunsPolicy}) merely lent itself and is a node thread only during that batch.
 *
 * <p><b>Threading.</b> {@link #offer} from any thread. {@link #stop()} waits for a batch under
 * way, unless called from inside one. An executor that refuses a task, by an exception or an
 * error of {@code execute}, ends the queue like a failed batch.
 *
 * @param <T> the item type
 */
final class ExecutorEventLoop<T> implements TaskQueue<T> {

  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  /** Whether a batch task is scheduled or running; see the class comment. */
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final Executor executor;
  /** {@code executor} if it can tell whether it was shut down, else null. */
  private final ExecutorService service;
  private final int maxBatch;
  private final TaskQueue.Handler<T> handler;
  private final Consumer<Throwable> onFailure;
  /** The batch being handled; only the running task touches it. */
  private final List<T> batch = new ArrayList<>();
  private volatile boolean running = true;
  /** Set once a batch failed or the executor refused a task: no batch runs after it; see {@link #fail}. */
  private final AtomicBoolean failed = new AtomicBoolean();
  /** The thread running a batch, or null. */
  private volatile Thread owner;

  ExecutorEventLoop(Executor executor, int maxBatch, TaskQueue.Handler<T> handler, Consumer<Throwable> onFailure) {
    this.executor = Objects.requireNonNull(executor, "executor");
    this.service = executor instanceof ExecutorService s ? s : null;
    this.maxBatch = maxBatch;
    this.handler = Objects.requireNonNull(handler, "handler");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
  }

  @Override
  public void start() {}

  @Override
  public boolean offer(T item) {
    queue.add(item);
    if (!scheduled.get()) {
      scheduleIfIdle();
    } else if (service != null && service.isShutdown()) {
      taskDropped();
    }
    // Once stop() has begun, whoever removes the item owns it: either this caller (false), or
    // stop()'s drain, whose caller fails it. An item a batch took is no longer there to remove.
    return running || !queue.remove(item);
  }

  /**
   * A tick found the loop still owing the tick before it: with a batch task scheduled on an
   * executor that was shut down, that task may have been dropped with nothing offered since
   * (the tick source offers no other tick while one waits), so no offer would notice.
   */
  @Override
  public void stalled() {
    if (scheduled.get() && service != null && service.isShutdown()) {
      taskDropped();
    }
  }

  private void scheduleIfIdle() {
    scheduleIfIdle(false);
  }

  /**
   * A batch task is scheduled but the executor was shut down: the task may have been dropped
   * unrun, and none is handed over after it. Failed as a refusal, so the node stops and answers
   * what waits; a batch still running meanwhile ends as usual ({@link #stop()} waits for it).
   */
  private void taskDropped() {
    if (running) {
      fail(new RejectedExecutionException("the event loop's executor was shut down with a batch task scheduled"));
    }
  }

  /** Marks the loop failed, so that no batch runs after the current one, and reports {@code cause}, once. */
  private void fail(Throwable cause) {
    if (failed.compareAndSet(false, true)) {
      onFailure.accept(cause);
    }
  }

  /**
   * Hands a batch task to the executor unless one is scheduled or running.
   *
   * @param atBatchEnd whether the caller is a batch's end ({@link #runBatches}) scheduling the next
   * @return whether the executor ran the task inside this caller's {@code execute} at a batch's
   *     end, so that the caller owns the scheduled batch and must run it
   */
  private boolean scheduleIfIdle(boolean atBatchEnd) {
    if (!running || failed.get() || !scheduled.compareAndSet(false, true)) {
      return false;
    }
    BatchTask task = new BatchTask(Thread.currentThread(), atBatchEnd);
    try {
      executor.execute(task);
    } catch (Throwable refused) {
      // Any throwable: an Error here (a stack overflow in the host's execute) must not leave the
      // loop scheduled without anyone told. Left scheduled: nothing runs after this. The items
      // stay queued for stop()'s drain.
      fail(refused);
      return false;
    } finally {
      // Before this thread can run the task later, as a worker of the executor.
      task.handedOverBy = null;
    }
    return task.ranInCaller;
  }

  /** Runs the scheduled batch, and each next one the executor runs inside this thread's {@code execute}. */
  private void runBatches() {
    boolean again;
    do {
      runBatch();
      again = !queue.isEmpty() && scheduleIfIdle(true);
    } while (again);
  }

  private void runBatch() {
    owner = Thread.currentThread();
    try {
      T item;
      while (running && !failed.get() && batch.size() < maxBatch && (item = queue.poll()) != null) {
        batch.add(item);
      }
      if (!batch.isEmpty() && running) {
        handler.handle(batch);
      } else if (!batch.isEmpty()) {
        // Stopped while the batch was taken: back to the queue for stop()'s drain.
        BatchQueues.putBackInFront(queue, batch);
      }
    } catch (Throwable t) {
      fail(t);
    } finally {
      batch.clear();
      owner = null;
      scheduled.set(false);
      if (!running) {
        synchronized (this) {
          notifyAll();
        }
      }
    }
  }

  /** One scheduled batch, as a task of the executor; one object per hand-over. */
  private final class BatchTask implements Runnable {
    /**
     * The thread whose {@code execute} call hands this task over, while that call lasts; null
     * otherwise. Only that thread writes it and only that thread can find itself here (a
     * thread's own last write is the one it reads), so a plain field is enough.
     */
    private Thread handedOverBy;
    /** Whether it is handed over at a batch's end, by {@link #runBatches}. */
    private final boolean atBatchEnd;
    /** Set when the executor ran this task inside a batch end's {@code execute}; read by that thread only. */
    private boolean ranInCaller;

    BatchTask(Thread handedOverBy, boolean atBatchEnd) {
      this.handedOverBy = handedOverBy;
      this.atBatchEnd = atBatchEnd;
    }

    @Override
    public void run() {
      Thread me = Thread.currentThread();
      if (handedOverBy == me) {
        if (atBatchEnd) {
          ranInCaller = true; // the caller's runBatches() runs the batch once execute returns
          return;
        }
        // Lent inside its own execute call (a direct executor): not one of the executor's threads.
      } else {
        NodeThreads.adopt(); // one of the executor's own threads (see the class comment)
      }
      runBatches();
    }
  }

  @Override
  public void stop() {
    running = false;
    if (isCurrentThread()) {
      return;
    }
    BatchQueues.awaitBatchEnd(this, () -> owner != null);
  }

  @Override
  public boolean isStopping() {
    return !running;
  }

  @Override
  public List<T> drain() {
    List<T> items = new ArrayList<>();
    T item;
    while ((item = queue.poll()) != null) {
      items.add(item);
    }
    return items;
  }

  @Override
  public boolean isCurrentThread() {
    return owner == Thread.currentThread();
  }
}
