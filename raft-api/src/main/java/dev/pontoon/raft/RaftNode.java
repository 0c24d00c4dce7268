package dev.pontoon.raft;

import dev.pontoon.raft.log.Bytes;
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
 * {@link OverloadedException} (nothing appended; back off), {@link IndeterminateStateException}
 * (appended, outcome unknown) or {@link NodeStoppedException}. Application errors are values
 * inside the result bytes.
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
   * {@code StateMachine.query}.
   *
   * @return completes with the query's result
   */
  CompletableFuture<Bytes> read(Bytes query);

  /**
   * Asks the leader to hand leadership to {@code target} (thesis §3.10).
   *
   * @return completes when {@code target} is leader as far as this node knows, or
   *     exceptionally when the transfer could not be completed within an election timeout
   */
  CompletableFuture<Void> transferLeadership(NodeId target);

  /** A consistent snapshot of the node's state, for tools and status pages. Never blocks. */
  RaftNodeStatus status();

  /**
   * Stops the node: stops its timers, fails pending futures with {@link NodeStoppedException},
   * then closes the transport and the log store. Idempotent; blocks until every thread of the
   * node has ended.
   *
   * <p>Safe from any thread, including a callback of a future this node completes. Called from
   * one of the node's own threads (callbacks may run there), it starts the stop and returns
   * without waiting, since it cannot wait for its own thread; the stop completes once that
   * callback returns. From the call on, no further entry reaches the state machine. Pending
   * futures are failed with no lock held, so their callbacks may call {@code close()} again.
   */
  @Override
  void close();
}
