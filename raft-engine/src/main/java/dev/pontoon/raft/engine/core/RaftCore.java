package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.LogReader;
import java.util.random.RandomGenerator;

/**
 * The Raft algorithm as a pure, deterministic state machine, in the style of etcd's
 * {@code RawNode}: inputs are {@link #tick()}, {@link #step(RaftMessage)}, {@link #propose},
 * {@link #readIndex} and {@link #transferLeadership}; every effect leaves through
 * {@link #ready()} and is acknowledged with {@link #advance(Ready)}.
 *
 * <p><b>Threading.</b> Not thread-safe, by design: one thread (the runtime's event loop, or the
 * simulator) owns an instance and makes every call. There are no locks, threads, clocks, I/O or
 * unseeded randomness inside: the same inputs and seed give the same outputs.
 *
 * <p><b>Storage.</b> The core reads the durable log through {@link LogReader} and never writes
 * it: entries and hard state to persist leave in {@link Ready}.
 */
public final class RaftCore {

  /**
   * Creates a core as a follower in the term of {@code hardState}.
   *
   * @param id this node
   * @param config the cluster configuration (used when the log holds none)
   * @param raftConfig timing and flow-control settings
   * @param log the durable log, as recovered
   * @param hardState the durable hard state, as recovered
   * @param appliedIndex index up to which the state machine already holds the log (a restored
   *     snapshot's index, or 0); committed entries are handed out from the next index
   * @param random the only source of randomness (election timeouts)
   */
  public RaftCore(NodeId id, ClusterConfig config, RaftConfig raftConfig, LogReader log, HardState hardState,
      long appliedIndex, RandomGenerator random) {
    throw new IllegalStateException("RaftCore is being written");
  }

  /** One logical time unit has passed. */
  public void tick() {}

  /** A message from a peer arrived. Messages from other terms are handled as Raft says. */
  public void step(RaftMessage message) {}

  /**
   * Appends {@code command} to the leader's log.
   *
   * @throws NotLeaderException if this node is not the leader (or is transferring leadership)
   */
  public Proposal propose(Bytes command) {
    throw new NotLeaderException(null, null);
  }

  /**
   * Registers a linearizable read with id {@code requestId}; it appears in
   * {@link Ready#readsReady()} once confirmed by a quorum, or in {@link Ready#readsAborted()}.
   *
   * @throws NotLeaderException if this node is not the leader
   */
  public void readIndex(long requestId) {}

  /**
   * Starts handing leadership to {@code target} (thesis §3.10).
   *
   * @throws NotLeaderException if this node is not the leader
   * @throws IllegalArgumentException if {@code target} is not a voter
   */
  public void transferLeadership(NodeId target) {}

  /** Starts an election now, as if the election timeout had elapsed. */
  public void campaign() {}

  /** Whether {@link #ready()} has anything to hand out. */
  public boolean hasReady() {
    return false;
  }

  /** Hands out everything to do since the last call. */
  public Ready ready() {
    return Ready.EMPTY;
  }

  /** Acknowledges that {@code ready}'s hard state and entries are durable. */
  public void advance(Ready ready) {}

  /** The current state. */
  public CoreStatus status() {
    return null;
  }
}
