package dev.pontoon.raft.engine.runtime;

import java.util.function.Consumer;

/**
 * Where a node's work runs and what time it is: the runtime reads no clock, starts no thread and
 * waits on nothing except through this interface. In production ({@link #threads()}) every
 * {@link TaskQueue} is a thread and time is {@link System#nanoTime()}. The deterministic
 * simulator supplies its own: every queue of every node runs on one thread, in an order drawn
 * from the run's seed, on a virtual clock — so the same classes that run in production run
 * under simulation, and any interleaving the threads allow can be replayed (the approach of
 * FoundationDB and TigerBeetle).
 *
 * <p>One scheduler serves one node. <b>Threading:</b> {@link #nanoTime()} may be called from any
 * of the node's threads.
 */
public interface NodeScheduler {

  /**
   * A new, not yet started queue named {@code name} whose batches hold at most
   * {@code maxBatch} items; an exception from {@code handler} ends the queue and goes to
   * {@code onFailure}.
   */
  <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler, Consumer<Throwable> onFailure);

  /**
   * The node's event loop: a queue like {@link #newQueue}'s. Default: {@link #newQueue} itself;
   * {@link #sharedLoopThreads()} returns one whose batches other event-loop threads may run.
   */
  default <T> TaskQueue<T> newEventLoop(String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure) {
    return newQueue(name, maxBatch, handler, onFailure);
  }

  /** Monotonic time in nanoseconds, as this node's clock sees it. */
  long nanoTime();

  /**
   * Runs {@code task} once, outside every queue (production: a new thread named {@code name}),
   * for work that must not run on the thread that asks for it, such as stopping the node, which
   * waits for every queue and may be asked for from inside one (a fatal failure, or
   * {@code close()} from a callback).
   *
   * @return a handle to wait for the task's end
   */
  Detached runDetached(String name, Runnable task);

  /**
   * Runs {@code task} once, about {@code delayNanos} from now, on no queue of the node: it must
   * only hand work to a queue (the event loop's). Used for timers shorter than a tick (a held
   * proposal's linger). Default: one daemon thread shared by every node of the JVM; the
   * simulator runs it at a virtual time.
   */
  default void runLater(long delayNanos, Runnable task) {
    DelayTimer.schedule(delayNanos, task);
  }

  /** Told once which node this scheduler runs, before any queue starts. Default: nothing. */
  default void attach(NodeRuntime node) {}

  /** A task started with {@link #runDetached}. */
  interface Detached {
    /** Waits until the task has ended; returns at once when called from the task itself. */
    void await();
  }

  /** The production scheduler: a thread per queue, {@link System#nanoTime()}. */
  static NodeScheduler threads() {
    return ThreadScheduler.INSTANCE;
  }

  /**
   * The production scheduler for members that share one JVM and talk through the in-memory
   * transport: as {@link #threads()}, except that when one member's event loop hands a message
   * to another member whose event loop is idle, it runs that member's next batch itself, on the
   * spot, instead of waking that member's thread. A leader's loop then runs its followers'
   * appends and receives their answers without a thread switch, which on a machine with few
   * cores is most of the cost of a write (see the peer comparison's in-memory figures).
   *
   * <p>What changes for the host: a member's work (its log writes, its state machine's
   * {@code apply} with {@code applyOnEventLoop}, and the future callbacks run there) may run on
   * another member's event-loop thread, one batch at a time and never two batches of one member
   * at once, so order, results and the state machine's single-threadedness are as with
   * {@link #threads()}. A member whose batch blocks (a slow log store, a blocking callback)
   * delays the member whose thread runs it, so use it where every member's loop is quick, as
   * with the in-memory log store. Clients' and transports' I/O threads never run a loop's batch;
   * only event-loop threads do. Over a network transport it changes nothing.
   */
  static NodeScheduler sharedLoopThreads() {
    return ThreadScheduler.SHARED_LOOPS;
  }

  /**
   * As {@link #threads()}, with event-loop threads that do not park as soon as they run out of
   * work: each spins ({@link Thread#onSpinWait()}) for up to {@code idleSpin}, taking what arrives
   * meanwhile, and only then parks. A message, a proposal or a sync's completion handed to a
   * spinning loop costs neither side a system call and the loop no wake-up delay, so a write's
   * hand-offs get shorter when the loop is often idle for short moments (few writes outstanding).
   * The other queues (sync, apply, snapshots) park at once, as with {@link #threads()}.
   *
   * <p>The price is CPU: a loop that gets work more often than every {@code idleSpin} keeps a
   * core busy, whether or not it needs it, and on a machine with fewer cores than busy threads
   * the spin takes time from the others. Use it where a core per event loop is to spare; a
   * few microseconds to tens of microseconds (a hand-off between threads) is the useful range.
   * Measure first: with three members over Netty on 2 cores, 20 µs cost 6–12 % of the writes per
   * second at one write outstanding and gained nothing at 16 (the I/O and sync threads needed
   * those cores).
   *
   * @param idleSpin how long an idle event loop spins before it parks, in [0, 1 ms]; 0 is
   *     {@link #threads()}
   * @throws IllegalArgumentException if {@code idleSpin} is negative or above 1 ms
   */
  static NodeScheduler threads(java.time.Duration idleSpin) {
    return ThreadScheduler.spinningLoops(false, idleSpin);
  }

  /**
   * {@link #sharedLoopThreads()} with event-loop threads that spin up to {@code idleSpin} for
   * work before they park, as {@link #threads(java.time.Duration)} describes. With members
   * sharing a JVM, the client's hand-off to the leader's loop is then the one left that can cost
   * a wake-up, and a spinning loop removes it: in the peer comparison's in-memory job at 16
   * writes outstanding, 20 µs raised the writes per second by 60–90 % and nearly halved the
   * median latency, with less CPU per write (spinning replaced the futex calls).
   *
   * @param idleSpin how long an idle event loop spins before it parks, in [0, 1 ms]; 0 is
   *     {@link #sharedLoopThreads()}
   * @throws IllegalArgumentException if {@code idleSpin} is negative or above 1 ms
   */
  static NodeScheduler sharedLoopThreads(java.time.Duration idleSpin) {
    return ThreadScheduler.spinningLoops(true, idleSpin);
  }

  /**
   * The production scheduler with the node's event loop on the host's {@code executor}: each
   * batch of the loop runs as one task of it, and every other queue (sync, apply, snapshots) is a
   * thread as with {@link #threads()}. Meant for the transport's own I/O event loop (the Netty
   * transport's {@code eventLoop()}, with one I/O thread): a message read there joins the loop's
   * queue without waking another thread, the batch runs after that round of reads with every
   * message of the round, and what the batch sends to a connection of that same event loop goes
   * out without a hand-off either. In the peer comparison's durable job it cut the CPU per write
   * by 18–39 % at 1 write outstanding and 26–38 % at 16, with writes per second level or higher.
   *
   * <p>What changes for the host: the executor's thread runs the node's batches, so a batch that
   * blocks holds up the executor's other work. On a transport's I/O thread that is every
   * connection of the node: a follower's log write and sync (followers write on their loop), a
   * slow state machine with {@code applyOnEventLoop(true)}, a blocking callback on a future the
   * loop completes. Batches never overlap and run in order whatever the executor (one task is
   * scheduled at a time), but an executor with one thread keeps the batches on it. An executor
   * that may run a task on the thread handing it over (a direct executor, a pool with
   * {@code CallerRunsPolicy} when it is saturated) lends that thread to the node: it runs batch
   * after batch, in a loop rather than deeper in its stack, for as long as the executor hands
   * each next batch's task back to it, so a caller of {@code submit} may run many batches before
   * it returns. A thread of the executor's own that has run a node's batch is a node thread from
   * then on: {@code close()} of any node called there, also outside a batch (a task of the host's
   * own on that thread), starts the stop and returns without waiting, since the stop may need that
   * very thread (the node's transport on the same event loop waits for it as it closes); use
   * {@code whenStopped()}, from another thread or as a callback, to learn when it ends. A node closes its transport itself,
   * after its loop has stopped; a task the executor refuses (it was shut down first, by someone else), by an
   * exception or an error of {@code execute}, stops the node as a failure would. Close the node
   * before shutting its executor down: an {@link java.util.concurrent.ExecutorService} shut down
   * under a running node ({@code shutdownNow()} drops the batch task waiting in its queue without
   * refusing it) stops the node as a failure at the next item handed to its loop (a request, a
   * message, a sync's or apply's hand-back) or, when none comes, at the second tick that finds
   * the first still waiting, which answers every pending request with
   * {@code NodeStoppedException}; an executor that is no {@code ExecutorService} and drops a task
   * silently leaves the loop waiting for it until the node is closed.
   *
   * @throws NullPointerException if {@code executor} is null
   */
  static NodeScheduler eventLoopOn(java.util.concurrent.Executor executor) {
    return ThreadScheduler.loopOn(executor);
  }
}
