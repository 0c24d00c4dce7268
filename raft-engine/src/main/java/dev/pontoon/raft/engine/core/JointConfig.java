package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToLongFunction;

/**
 * Quorum arithmetic for the configuration in force, joint or not (Raft thesis §4.3): every
 * decision — commit, election, ReadIndex, CheckQuorum — needs a majority of the incoming voters
 * C<sub>new</sub> and, while joint, also a majority of the outgoing voters C<sub>old</sub>.
 * Learners never appear here. Pure.
 *
 * <p>A node that knows no configuration yet (started to join a cluster) has no voters at all:
 * nothing is ever decided with it, and it never campaigns.
 */
final class JointConfig {

  private final MajorityConfig incoming;
  private final MajorityConfig outgoing;
  private final Set<NodeId> voters;

  private JointConfig(MajorityConfig incoming, MajorityConfig outgoing) {
    this.incoming = incoming;
    this.outgoing = outgoing;
    TreeSet<NodeId> all = new TreeSet<>();
    if (incoming != null) {
      all.addAll(incoming.voters());
    }
    if (outgoing != null) {
      all.addAll(outgoing.voters());
    }
    this.voters = Collections.unmodifiableSet(all);
  }

  /** The quorums of {@code config}; of nobody when {@code config} is null (not known yet). */
  static JointConfig of(ClusterConfig config) {
    if (config == null) {
      return new JointConfig(null, null);
    }
    return new JointConfig(new MajorityConfig(config.voters()),
        config.isJoint() ? new MajorityConfig(config.outgoingVoters()) : null);
  }

  /** Whether {@code id} votes in either half. */
  boolean contains(NodeId id) {
    return voters.contains(id);
  }

  /** Every voter of either half, in id order. */
  Set<NodeId> voters() {
    return voters;
  }

  /**
   * The highest value that a majority of <em>each</em> half has reached: the smaller of the two
   * majorities' values (an index stored on a majority of C<sub>new</sub> but not of C<sub>old</sub>
   * is not committed while joint). 0 when there are no voters.
   */
  long committedIndex(ToLongFunction<NodeId> acked) {
    if (incoming == null) {
      return 0;
    }
    long value = incoming.committedIndex(acked);
    return outgoing == null ? value : Math.min(value, outgoing.committedIndex(acked));
  }

  /** WON only when both halves granted by majority; LOST as soon as either half cannot. */
  VoteResult voteResult(Map<NodeId, Boolean> votes) {
    if (incoming == null) {
      return VoteResult.LOST;
    }
    VoteResult in = incoming.voteResult(votes);
    VoteResult out = outgoing == null ? VoteResult.WON : outgoing.voteResult(votes);
    if (in == VoteResult.LOST || out == VoteResult.LOST) {
      return VoteResult.LOST;
    }
    return in == VoteResult.WON && out == VoteResult.WON ? VoteResult.WON : VoteResult.PENDING;
  }

  /** Whether {@code active} holds a majority of each half. */
  boolean hasQuorum(Set<NodeId> active) {
    return incoming != null && incoming.hasQuorum(active) && (outgoing == null || outgoing.hasQuorum(active));
  }

  @Override
  public String toString() {
    return outgoing == null ? String.valueOf(incoming) : incoming + "&" + outgoing;
  }
}
