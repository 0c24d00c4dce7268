package dev.pontoon.raft.engine.runtime;

/**
 * Whether the calling code runs on a node thread of any node of the JVM: where {@code close()}
 * must not wait ({@link NodeRuntime#close()}).
 *
 * <p>A node's stop waits for every one of its threads, and for a batch of its event loop under
 * way on any thread. Code running on a node thread can therefore not wait for another node's stop
 * safely: under {@link NodeScheduler#sharedLoopThreads()} a member's batch (and the callbacks of
 * the futures it completes) may run on another member's loop thread, and even on threads of their
 * own two nodes whose callbacks close each other each wait for the other's thread. The waits can
 * form a cycle the host can neither see nor avoid, so no close called here waits at all.
 *
 * <p>Node code runs here in three ways:
 * <ul>
 *   <li>on a {@link NodeThread}, which the runtime starts for a queue ({@link BatchingThread}:
 *       event loop, sync, apply, snapshots) and which runs node work only, for its whole life;
 *   <li>on a thread the runtime borrows for a while ({@link #enter()} to {@link #exit}): a batch
 *       of an event loop run on a thread lent inside the executor's {@code execute} call (a
 *       direct executor, {@code CallerRunsPolicy}), and the stop, which runs on the scheduler's
 *       detached thread and completes futures there;
 *   <li>on a thread of the host's executor that has run an event loop's batch
 *       ({@link NodeScheduler#eventLoopOn}), which the runtime adopts for good ({@link #adopt()}):
 *       the loop needs it again, even outside a batch (in a task of the host's own there), and a
 *       stop may too (a transport on the same event loop waits for it as it closes), so a
 *       {@code close()} there that waited could wait for itself.
 * </ul>
 *
 * <p><b>Threading.</b> Everything here concerns the calling thread only.
 */
final class NodeThreads {

  /** Set on a borrowed thread while it runs node work, and for good on an adopted one; never on a {@link NodeThread}. */
  private static final ThreadLocal<Boolean> BORROWED = new ThreadLocal<>();

  private NodeThreads() {}

  /** A daemon thread the runtime starts to run one queue of a node, and nothing else. */
  static class NodeThread extends Thread {
    NodeThread(Runnable task, String name) {
      super(task, name);
      setDaemon(true);
    }
  }

  /** Whether the calling code runs on a node thread of any node (see the class comment). */
  static boolean isCurrent() {
    return Thread.currentThread() instanceof NodeThread || BORROWED.get() != null;
  }

  /**
   * Marks the calling thread as running node work until {@link #exit}, which it must be paired
   * with in a {@code finally}; returns what to hand to {@code exit}. Costs nothing on a
   * {@link NodeThread}, and nests.
   */
  static boolean enter() {
    if (isCurrent()) {
      return false;
    }
    BORROWED.set(Boolean.TRUE);
    return true;
  }

  /**
   * Makes the calling thread, one of a host executor's that runs an event loop's batch, a node
   * thread for the rest of its life (see the class comment). A later {@link #enter()} there finds
   * it one already, so the matching {@link #exit} leaves it so.
   */
  static void adopt() {
    if (!isCurrent()) {
      BORROWED.set(Boolean.TRUE);
    }
  }

  /** Ends what {@link #enter()} began; {@code entered} is what it returned. */
  static void exit(boolean entered) {
    if (entered) {
      BORROWED.remove();
    }
  }
}
