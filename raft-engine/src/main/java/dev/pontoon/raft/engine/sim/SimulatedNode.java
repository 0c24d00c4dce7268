package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.LogReader;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;

/**
 * One node of a {@link Simulation}, as the simulator and its clients see it. Two kinds exist:
 * {@link SimNode} drives a bare {@link RaftCore} the way the runtime's contract says, and
 * {@link RuntimeNode} runs the production runtime itself ({@code RaftServer} with its event loop,
 * sync, apply and snapshot workers) on the simulator's scheduler.
 *
 * <p>Every method runs on the simulator's one thread.
 */
interface SimulatedNode {

  /** Position in the cluster, from 0. */
  int index();

  NodeId id();

  boolean isUp();

  /** Counts starts; events of an earlier incarnation are ignored. */
  int incarnation();

  /** The running core, for the checkers (null when down). */
  RaftCore core();

  /** The core's log as it sees it (durable and not yet handed to the store), for the checkers. */
  LogReader log();

  /** Starts (or restarts) from the durable state. */
  void start(RandomGenerator random);

  /** Loses everything volatile and what the disk had not made durable. */
  void crash(boolean forgetHardState);

  /**
   * What {@code m}, leaving this node now, promises beyond what its disk holds durably, or null
   * if nothing ({@link DurableBeforeSent}).
   */
  String unpersisted(RaftMessage m);

  /** Whether this node's disk holds the entry ({@code index}, {@code term}) durably, in its log or its snapshot. */
  boolean holdsDurably(long index, long term);

  /** Virtual time units until this node's next tick (its clock may run slower than real time). */
  long nextTickDelay();

  void tick();

  /** A message for this node arrived through the network. */
  void deliver(RaftMessage message);

  /**
   * A client asks this node to submit {@code command} through the log; the outcome reaches the
   * clients, now or later.
   */
  void submitCommand(long opId, Bytes command);

  /** A client asks this node for a linearizable read ({@code sabotage}: answer locally at once). */
  void submitRead(long opId, Bytes query, boolean sabotage);

  /** Asks this node, if leader, to hand leadership to {@code target} (thesis §3.10). */
  void transferLeadership(NodeId target);

  /** A fault point asks this node to snapshot and compact its log (§7), where it does so on demand. */
  void compact();

  /** Proposes the simulator's liveness probe, if this node is leader; its commit is reported to the simulation. */
  void proposeProbe(long attempt);

  /** Whether a probe this node accepted may still commit (so no new one is needed yet). */
  boolean probeInFlight();

  /**
   * Asks this node, if leader, for a membership change; {@code outcome} gets a line for the
   * trace and whether it committed. Only the runtime supports it.
   */
  default void changeMembership(List<MemberChange> changes, BiConsumer<String, Boolean> outcome) {
    throw new UnsupportedOperationException("membership changes run on the runtime only");
  }

  /**
   * Closes this node as a host does and lists, one line each, the futures it handed out that
   * remain incomplete after the close (each should have completed, at the latest failed by the
   * close); the run is otherwise unchanged. Bare cores hand out no futures: empty.
   */
  default List<String> closeAndListIncomplete() {
    return List.of();
  }

  /** A failure that stopped this node by itself (a bug: the simulated disks never fail), or null. */
  default Throwable fatalFailure() {
    return null;
  }
}
