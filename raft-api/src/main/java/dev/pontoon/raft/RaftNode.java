package dev.pontoon.raft;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The handle a host application holds on one running Raft node.
 *
 * <p><b>Threading.</b> All methods are thread-safe and never block: each request is queued to
 * the node's event loop and answered through the returned future. Futures complete on a node
 * thread; do not block inside their callbacks.
 *
 * <p><b>Failures.</b> A future completes exceptionally only with a {@link RaftException}:
 * {@link NotLeaderException} (nothing appended; retry on the hinted leader),
 * {@link OverloadedException} (nothing appended; back off), {@link CommandTooLargeException}
 * (nothing appended; the command can never fit the transport), {@link IndeterminateStateException}
 * (appended, outcome unknown), {@link ReadTimeoutException} (a read not answered in time; it
 * changed nothing, retry it) or {@link NodeStoppedException} (the node stopped; its
 * {@code mayStillCommit()} says whether the command may have entered the log). Application
 * errors are values inside the result bytes. Two failures of the caller's own making pass through
 * as they are: a read whose {@code StateMachine.query} threw fails with that exception, and a
 * leadership transfer to a node that is not a voter fails with {@link IllegalArgumentException}.
 *
 * @see dev.pontoon.raft.statemachine.StateMachine
 */
public interface RaftNode extends AutoCloseable {

  /** This node's id. */
  NodeId id();

  /**
   * Replicates {@code command} and applies it once a majority has stored it.
   *
   * @param command the bytes handed to {@code StateMachine.apply}
   * @return completes with the state machine's result after the command is committed and
   *     applied on this node (the leader)
   */
  CompletableFuture<Bytes> submit(Bytes command);

  /**
   * A linearizable read: confirms leadership with a quorum (ReadIndex, thesis §6.4), waits until
   * this node has applied everything committed before the call, then runs
   * {@code StateMachine.query}. Fails with {@link ReadTimeoutException} if that takes longer than
   * the node's read timeout.
   *
   * @return completes with the query's result
   */
  CompletableFuture<Bytes> read(Bytes query);

  /**
   * Asks the leader to hand leadership to {@code target} (thesis §3.10).
   *
   * @return completes when {@code target} is leader as far as this node knows, or
   *     exceptionally when the transfer could not be completed within an election timeout, or
   *     with {@link IllegalArgumentException} when {@code target} is not a voter
   */
  CompletableFuture<Void> transferLeadership(NodeId target);

  /**
   * Changes the members of the cluster; called on the leader. Several steps given together
   * take effect together through a joint configuration (Raft thesis §4.3); only one change is
   * in flight at a time.
   *
   * <p>A change the leader cannot propose yet waits rather than failing: a newly elected (or
   * bootstrapped) leader first commits an entry of its own term (thesis §4.1), and a change still
   * in flight — one of a previous leader, or a joint configuration being left — commits first.
   * The wait lasts at most the node's proposal timeout (its promotion timeout for a change that
   * adds no member but promotes a learner, which waits for the learner to catch up as well);
   * nothing is appended meanwhile. A second change asked
   * of the same node while its first is still running, and a step that does not fit the
   * configuration, are refused at once.
   *
   * @param changes the steps, at least one, each naming a different node
   * @return completes with the resulting configuration once it is committed (for a joint change,
   *     once the joint configuration has been left); exceptionally with
   *     {@link MembershipChangeException} when refused (nothing appended; {@code CHANGE_IN_PROGRESS}
   *     when this node is still carrying out another change, or the change could not be proposed
   *     before the timeout) or when a change that adds voters stopped after adding them as
   *     learners ({@code NOT_CAUGHT_UP}, or {@code CHANGE_IN_PROGRESS} for its second phase): then
   *     {@link MembershipChangeException#learnersAdded()} names the learners, which stay, and
   *     {@link MembershipChangeException#remainingSteps()} what to ask for to complete the change;
   *     {@link NotLeaderException} on a non-leader or when this node stopped
   *     leading, or began a leadership transfer, before anything was appended (retry on the leader
   *     named), or {@link IndeterminateStateException} when leadership was lost before the outcome
   *     was known (a joint change whose joint configuration has committed is known to complete, so
   *     it goes on waiting for the final configuration, up to the proposal timeout)
   */
  CompletableFuture<ClusterConfig> changeMembership(List<MemberChange> changes);

  /** Adds a learner; see {@link MemberChange.AddLearner} and {@link #changeMembership}. */
  default CompletableFuture<ClusterConfig> addLearner(NodeId id, String address) {
    return changeMembership(List.of(new MemberChange.AddLearner(id, address)));
  }

  /**
   * Adds a voter, as a learner first, promoted once caught up; see {@link MemberChange.AddVoter}
   * and {@link #changeMembership}.
   */
  default CompletableFuture<ClusterConfig> addVoter(NodeId id, String address) {
    return changeMembership(List.of(new MemberChange.AddVoter(id, address)));
  }

  /** Promotes a learner to voter; see {@link MemberChange.Promote} and {@link #changeMembership}. */
  default CompletableFuture<ClusterConfig> promote(NodeId id) {
    return changeMembership(List.of(new MemberChange.Promote(id)));
  }

  /**
   * Removes a member; see {@link MemberChange.Remove} and {@link #changeMembership}. A leader that
   * removes itself hands leadership to another voter and steps down once the change commits.
   */
  default CompletableFuture<ClusterConfig> removeMember(NodeId id) {
    return changeMembership(List.of(new MemberChange.Remove(id)));
  }

  /**
   * A consistent snapshot of the node's state, for tools and status pages. Never blocks.
   *
   * <p>Once the node stops (from the start of {@link #close()}, or of the stop after a fatal
   * failure), the role is {@link Role#STOPPED}, with no leader and no followers, so that a
   * health check or a router polling it never takes a stopped leader for a live one; the term
   * and indexes keep the last values the node had.
   */
  RaftNodeStatus status();

  /**
   * Stops the node: stops its timers, fails pending futures with {@link NodeStoppedException},
   * then closes the transport and the log store. Idempotent. From the call on, no further entry
   * reaches the state machine.
   *
   * <p>Safe from any thread, including a callback of a future this node or any other node
   * completes. Whether it waits depends on the calling thread:
   * <ol>
   *   <li>From a thread on which no node runs work (the host's {@code main}, a request thread, a
   *       shutdown hook), it blocks until every thread of the node has ended.
   *   <li>From a node thread, of this node or of any other node in the process (the threads on
   *       which futures' callbacks run; the implementation names them), it starts the stop and
   *       returns without waiting. A wait there could be for its own thread, or close a cycle:
   *       two nodes whose callbacks close each other would each wait for the other's thread. The
   *       stop completes once the calling code has returned. To learn when, wait for the
   *       implementation's stop future ({@code RaftServer.whenStopped()}) from a thread of the
   *       first kind, or add a callback to it; never wait on a node thread.
   *   <li>From a thread the host lends a node for good (a thread of an executor an event loop
   *       runs on, once it has run a node's work), also outside that work, such as in a task of the
   *       host's own on that executor: as from a node thread, since a node may need that thread to
   *       finish its stop.
   * </ol>
   * Pending futures are failed with no lock held, so their callbacks may call {@code close()}
   * again, of this node or of another.
   */
  @Override
  void close();
}
