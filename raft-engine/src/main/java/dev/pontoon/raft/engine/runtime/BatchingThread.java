package dev.pontoon.raft.engine.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
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
 * <p><b>Shared event loops.</b> A {@code shareable} queue (an event loop under
 * {@link NodeScheduler#sharedLoopThreads()}) also lets another shareable queue's thread run its
 * next batch on the spot when that thread hands it an item (a message of the in-memory
 * transport) while it is idle. A leader's loop then runs its followers' appends and gets their
 * answers without waking a thread: a write costs no thread switch between members of one JVM,
 * only the client's hand-off to the leader. Offers from any other thread (a client, a
 * transport's I/O thread, the sync or tick thread) only queue and wake, as for every queue. A
 * thread runs at most a few batches of another queue ({@link #MAX_BATCHES_ELSEWHERE}) and then
 * lets it go, so no loop keeps another's work for long.
 *
 * <p><b>One batch at a time.</b> Whoever runs a batch first claims the queue ({@code owner}, a
 * compare-and-set from null; the queue's own thread too), so batches never overlap and each
 * one's work happens-before the next one's, whichever threads run them.
 *
 * <p><b>No lost wake-up.</b> Producers add to a lock-free queue and wake the thread only when it
 * has said it is going to sleep, so a busy thread (the usual case under load) costs its
 * producers one CAS per item and no system call. The thread announces sleep ({@code sleeping})
 * before it looks at the queue and the claim a last time; a producer adds its item before it
 * reads {@code sleeping}, and a thread that lets the queue go clears {@code owner} before it
 * looks at the queue and reads {@code sleeping}. All are volatile accesses, so at least one side
 * of each pair sees the other's write, and an unpark that comes before the park leaves a permit.
 *
 * <p><b>Idle spin.</b> A queue built with an idle spin ({@link NodeScheduler#threads(java.time.Duration)})
 * does not park as soon as it runs out of work: for up to that long its thread spins
 * ({@link Thread#onSpinWait()}), looking at the queue, and takes what arrives without having been
 * woken. It does not announce sleep while it spins, so its producers do not wake it either: a
 * hand-off within the spin costs neither side a system call. After the spin it announces sleep
 * and parks as above, so no wake-up is lost either way.
 *
 * <p><b>Simulation.</b> The simulator keeps its own queues: a batch run here inside another
 * member's batch touches none of that member's state (they share only queues), so it is the
 * same as the two batches running one after the other, an order the simulator already draws.
 *
 * <p><b>Threading.</b> {@link #offer} from any thread. {@link #stop()} waits for the queue's
 * thread and for a batch under way on any thread, unless called from inside a batch of this
 * queue. The queue's thread is a {@link NodeThreads.NodeThread}, on which no node's
 * {@code close()} waits.
 *
 * @param <T> the item type
 */
final class BatchingThread<T> implements TaskQueue<T> {

  /** The thread of a shareable queue: an offer from one of these may run another such queue's batch. */
  static final class LoopThread extends NodeThreads.NodeThread {
    LoopThread(Runnable task, String name) {
      super(task, name);
    }
  }

  /**
   * Most batches another loop's thread runs in a row before it lets this loop go: enough for a
   * batch's own follow-ups, few enough that no thread is kept from its own loop for long.
   */
  static final int MAX_BATCHES_ELSEWHERE = 4;

  /** Wakes the thread up to see that it must stop. */
  private static final Object POISON = new Object();
  private static final VarHandle OWNER;

  static {
    try {
      OWNER = MethodHandles.lookup().findVarHandle(BatchingThread.class, "owner", Thread.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  /** Whether another shareable queue's thread may run this queue's batches (see the class comment). */
  private final boolean shareable;
  private final int maxBatch;
  /** How long the thread spins for work before it parks; 0 parks at once. */
  private final long idleSpinNanos;
  private final TaskQueue.Handler<T> handler;
  private final Consumer<Throwable> onFailure;
  /** The batch being built or handled; only its owner touches it. */
  private final List<T> batch = new ArrayList<>();
  private volatile boolean running = true;
  /** Set once a batch failed: no batch runs after it, on any thread. */
  private volatile boolean failed;
  /** Set by the loop's thread just before it parks; see the class comment. */
  private volatile boolean sleeping;
  /** The thread running a batch of this loop, or null. Accessed through {@link #OWNER}. */
  @SuppressWarnings("unused")
  private volatile Thread owner;

  /** A queue whose batches only its own thread runs. */
  BatchingThread(String name, int maxBatch, TaskQueue.Handler<T> handler, Consumer<Throwable> onFailure) {
    this(name, maxBatch, handler, onFailure, false);
  }

  BatchingThread(String name, int maxBatch, TaskQueue.Handler<T> handler, Consumer<Throwable> onFailure,
      boolean shareable) {
    this(name, maxBatch, handler, onFailure, shareable, 0);
  }

  /** As above, with a thread that spins up to {@code idleSpinNanos} for work before it parks. */
  BatchingThread(String name, int maxBatch, TaskQueue.Handler<T> handler, Consumer<Throwable> onFailure,
      boolean shareable, long idleSpinNanos) {
    if (idleSpinNanos < 0) {
      throw new IllegalArgumentException("idleSpinNanos (" + idleSpinNanos + ") must not be negative");
    }
    this.idleSpinNanos = idleSpinNanos;
    this.maxBatch = maxBatch;
    this.handler = Objects.requireNonNull(handler, "handler");
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
    this.shareable = shareable;
    if (shareable) {
      this.thread = new LoopThread(this::run, name);
    } else {
      this.thread = new NodeThreads.NodeThread(this::run, name);
    }
  }

  @Override
  public void start() {
    thread.start();
  }

  @Override
  public boolean offer(T item) {
    queue.add(item);
    Thread me = Thread.currentThread();
    if (shareable && me instanceof LoopThread && me != thread && owner == null && running && !failed
        && OWNER.compareAndSet(this, null, me)) {
      runBatchesAndRelease(MAX_BATCHES_ELSEWHERE);
    } else if (owner == null && sleeping) {
      // A claimed loop needs no wake-up: its owner looks at the queue after letting it go.
      LockSupport.unpark(thread);
    }
    // Once stop() has begun, whoever removes the item owns it: either this caller (false), or
    // stop()'s drain, whose caller fails it. An item a batch took is no longer there to remove.
    return running || !queue.remove(item);
  }

  @Override
  public boolean isStopping() {
    return !running;
  }

  /** Whether the calling code runs inside a batch of this queue, or on its thread. */
  @Override
  public boolean isCurrentThread() {
    Thread me = Thread.currentThread();
    return me == thread || owner == me;
  }

  @Override
  public void stop() {
    running = false;
    queue.add(POISON);
    LockSupport.unpark(thread);
    if (isCurrentThread()) {
      return;
    }
    NodeRuntime.joinUninterruptibly(thread);
    BatchQueues.awaitBatchEnd(this, () -> owner != null);
  }

  /** Items queued but never handled; call after {@link #stop()}. */
  @SuppressWarnings("unchecked")
  @Override
  public List<T> drain() {
    List<T> items = new ArrayList<>();
    Object o;
    while ((o = queue.poll()) != null) {
      if (o != POISON) {
        items.add((T) o);
      }
    }
    return items;
  }

  private void run() {
    while (running && !failed) {
      if (queue.isEmpty()) {
        awaitWork();
      } else if (OWNER.compareAndSet(this, null, thread)) {
        runBatchesAndRelease(1);
      } else {
        awaitWork();
      }
    }
  }

  /**
   * Parks until there may be a batch for this thread to run: returns at once if items wait and
   * no other thread runs this loop; may return spuriously (the caller looks again).
   */
  private void awaitWork() {
    if (idleSpinNanos > 0 && spinForWork()) {
      return;
    }
    sleeping = true;
    try {
      if (running && (queue.isEmpty() || owner != null)) {
        LockSupport.park(this);
      }
    } finally {
      sleeping = false;
    }
    Thread.interrupted();
  }

  /**
   * Spins up to {@link #idleSpinNanos} until there is a batch this thread may run or the queue
   * stops; returns whether either happened (false: the spin ran out, park).
   */
  private boolean spinForWork() {
    long deadline = System.nanoTime() + idleSpinNanos;
    do {
      if (!running || (!queue.isEmpty() && owner == null)) {
        return true;
      }
      Thread.onSpinWait();
    } while (System.nanoTime() - deadline < 0);
    return false;
  }

  /**
   * Runs up to {@code max} batches as the claimed owner, while items wait, then lets the loop go
   * and hands on what is left to the loop's thread.
   */
  private void runBatchesAndRelease(int max) {
    try {
      for (int n = 0; n < max && runBatch(); n++) {
        // Each batch may queue follow-ups to this loop (its state machine's progress, say):
        // running them here saves waking this loop's thread for them.
      }
    } finally {
      owner = null;
      if (!running) {
        synchronized (this) {
          notifyAll();
        }
      }
      if (sleeping && !queue.isEmpty()) {
        LockSupport.unpark(thread);
      }
    }
  }

  /** Runs one batch as the claimed owner; returns whether there was one. */
  @SuppressWarnings("unchecked")
  private boolean runBatch() {
    if (!running || failed) {
      return false;
    }
    Object o;
    while (batch.size() < maxBatch && (o = queue.poll()) != null) {
      if (o != POISON) {
        batch.add((T) o);
      }
    }
    if (batch.isEmpty()) {
      return false;
    }
    if (!running) {
      // Put the batch back for stop()'s drain, so that what waits on it is failed, not lost.
      BatchQueues.putBackInFront(queue, batch);
      batch.clear();
      return false;
    }
    try {
      handler.handle(batch);
      return true;
    } catch (Throwable t) {
      failed = true;
      onFailure.accept(t);
      return false;
    } finally {
      batch.clear();
    }
  }
}
