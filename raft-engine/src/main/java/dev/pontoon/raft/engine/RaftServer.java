package dev.pontoon.raft.engine;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.engine.runtime.NodeRuntime;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A running Raft node, embedded in the host application: build one per member with
 * {@link #builder()}, then {@link #submit} commands and {@link #read} state.
 *
 * <pre>{@code
 * RaftServer node = RaftServer.builder()
 *     .nodeId("n1")
 *     .cluster(ClusterConfig.ofVoters("n1", "n2", "n3"))
 *     .transport(network.transport(NodeId.of("n1")))
 *     .logStore(new InMemoryLogStore())
 *     .stateMachine(new MyStateMachine())
 *     .build();
 * }</pre>
 *
 * <p><b>Threads.</b> Each node runs an event loop ({@code pontoon-<id>-loop}) that alone owns the
 * Raft state, a sync thread ({@code -sync}) that writes and fsyncs a leader's log in batches
 * (group commit; other roles write on their loop, see {@code leaderWritesOnEventLoop}), an apply
 * thread ({@code -apply}) that calls the {@code StateMachine} when the loop does not (by default
 * the loop does while the state machine is quick and the apply thread idle; see {@code
 * applyOnEventLoop}), and a tick thread ({@code -tick}) unless a tick source is injected. Every
 * method here is thread-safe and never blocks except {@link #close()}, which does not block on a
 * node thread either (see there); futures complete on node threads, the event loop included, so
 * callbacks must not block.
 *
 * <p><b>Durability.</b> A submitted command's future completes only after the command is
 * committed (stored durably on a quorum) and applied on this node.
 *
 * <p><b>Failure.</b> If the log store throws, or the state machine throws from {@code apply},
 * the node stops: every pending future completes with {@code NodeStoppedException} carrying the
 * cause, the failure is logged once, and the stores and transport are closed. It does not restart
 * by itself: {@link #whenStopped()} tells the host, which may exit and let its supervisor restart
 * the process, or build a new node on freshly opened stores.
 *
 * @see RaftServerBuilder
 */
public final class RaftServer implements RaftNode {

  private final NodeRuntime runtime;

  RaftServer(NodeRuntime runtime) {
    this.runtime = runtime;
  }

  /** A builder for a new node; see {@link RaftServerBuilder} for every option and its default. */
  public static RaftServerBuilder builder() {
    return new RaftServerBuilder();
  }

  @Override
  public NodeId id() {
    return runtime.id();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Fails fast with {@code OverloadedException} when the configured bound on pending
   * proposals or pending bytes is reached, with {@code NotLeaderException} (carrying the leader
   * hint) on a non-leader, and with {@code IndeterminateStateException} when leadership is lost
   * before the command commits or the proposal timeout runs out. If another term's entry is
   * applied at the command's index, the command was never committed: {@code NotLeaderException}.
   */
  @Override
  public CompletableFuture<Bytes> submit(Bytes command) {
    return runtime.submit(command);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Runs on the leader only ({@code NotLeaderException} with the leader hint elsewhere). The
   * query runs where the state machine applies (the apply thread, or the event loop while it
   * applies there, see {@code applyOnEventLoop}), so it never overlaps an apply; an exception it
   * throws fails only this read's future. Fails fast with {@code OverloadedException} when the bound on
   * pending reads is reached, and with {@code ReadTimeoutException} when the read is not answered
   * within the read timeout (see {@link RaftServerBuilder#maxPendingReads} and
   * {@link RaftServerBuilder#readTimeout}).
   */
  @Override
  public CompletableFuture<Bytes> read(Bytes query) {
    return runtime.read(query);
  }

  @Override
  public CompletableFuture<Void> transferLeadership(NodeId target) {
    return runtime.transferLeadership(target);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A change of at most one voter goes straight to the new configuration; any other goes
   * through a joint configuration that the leader leaves on its own once it commits (the
   * reasons are in the README's "Membership changes"). A voter is always added as a learner
   * first and promoted once its log is within {@link RaftServerBuilder#promotionLagEntries} of the
   * leader's; {@code NOT_CAUGHT_UP} after {@link RaftServerBuilder#promotionTimeout} (it then
   * stays a learner, named by {@link dev.pontoon.raft.MembershipChangeException#learnersAdded()}).
   * A leader that removes itself leads until the change commits, then hands leadership to the
   * most up-to-date voter and steps down. The meter
   * {@code raft.membership.changes} counts the changes this node committed as leader.
   */
  @Override
  public CompletableFuture<ClusterConfig> changeMembership(List<MemberChange> changes) {
    return runtime.changeMembership(changes);
  }

  @Override
  public RaftNodeStatus status() {
    return runtime.status();
  }

  /**
   * {@inheritDoc}
   *
   * <p>The stop itself runs on a short-lived thread, {@code pontoon-<id>-stop}, which fails the
   * pending futures (their callbacks run there) and closes the stores; a caller on any other
   * thread than a node thread waits for it.
   *
   * <p><b>Node threads</b>, where {@code close()} starts the stop and returns at once, are those
   * of every node in the JVM, not only this one's:
   * <ul>
   *   <li>each node's {@code pontoon-<id>-loop}, {@code -sync}, {@code -apply}, {@code -snapshot},
   *       {@code -snapshot-out}, {@code -snapshot-in} and {@code -stop} threads;
   *   <li>any thread while it runs a batch of a node's event loop: another member's loop thread
   *       under {@code NodeScheduler.sharedLoopThreads()}, a thread lent inside the executor's
   *       {@code execute} call (a direct executor, {@code CallerRunsPolicy}) under {@code
   *       NodeScheduler.eventLoopOn(executor)};
   *   <li>under {@code NodeScheduler.eventLoopOn(executor)}, a thread of the executor's own from
   *       the first batch of a node it runs (the first is handed to it as the node starts), even
   *       outside a batch, for good: in a task of the host's own on a single-thread executor such
   *       as a Netty event loop, a wait would be for the thread the stop needs (the node's loop, a
   *       transport on that event loop closing) and never end.
   * </ul>
   * Every future of every node completes on one of them (or on the thread that adds a callback to
   * a future already complete), so a callback that closes this node or another never waits: one
   * that did could wait for its own thread, or for a node whose callback is closing the node
   * whose thread the first callback holds. The apply thread applies nothing after the entry whose
   * callback called it. A host that must know when the stop has ended uses {@link #whenStopped()}:
   * {@code get()} from a thread that is not a node thread, or a callback.
   */
  @Override
  public void close() {
    runtime.close();
  }

  /**
   * A future that completes once this node has stopped: its threads have ended, every pending
   * request has been failed, and its transport, log store and snapshot store have been closed.
   *
   * <p>It completes normally after a stop that {@link #close()} began, and exceptionally with a
   * {@code NodeStoppedException} when the node stopped after a fatal failure (see "Failure" above);
   * the exception's {@linkplain Throwable#getCause() cause} is that failure, the same one pending
   * requests were failed with (a failing {@code LogStore}'s {@code StorageException}, or whatever
   * the state machine's {@code apply} threw). The two may race: a node thread that fails just as
   * {@code close()} begins the stop makes it exceptional, and a failure after the stop began is
   * not reported. If the stop itself throws (a bug), it completes with that throwable, since the
   * stores may then still be open. It never completes while the node runs.
   *
   * <p><b>Threads.</b> Every call returns the same read-only future, from any thread, before or
   * after the stop: its completing methods ({@code complete}, {@code cancel}, {@code obtrudeValue},
   * ...) throw {@code UnsupportedOperationException} (use {@code copy()} for a future of your own),
   * {@code orTimeout} and {@code completeOnTimeout} return a copy with the timeout, and callbacks
   * get the {@code NodeStoppedException} itself, not wrapped. Callbacks added before
   * the stop ends run on the stop thread, {@code pontoon-<id>-stop}, as its last work; later ones
   * run on the thread that adds them. A callback must not block: {@code close()} from a thread
   * that is not a node thread waits for the stop thread, so it would wait for that callback too.
   * Calling {@code close()} of this node or of another from a callback returns at once (the stop
   * thread is a node thread; see {@link #close()}). Never wait for this future on a node thread,
   * this node's or another's (a callback of a future any node completes): the stop may wait for
   * that thread.
   *
   * @return the node's stop, the same instance on every call
   */
  public CompletableFuture<Void> whenStopped() {
    return runtime.whenStopped();
  }

  @Override
  public String toString() {
    return "RaftServer[" + runtime.id() + "]";
  }
}
