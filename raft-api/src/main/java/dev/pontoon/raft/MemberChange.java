package dev.pontoon.raft;

import java.io.Serializable;
import java.util.Objects;

/**
 * One step of a membership change, for {@link RaftNode#changeMembership}. Several steps given
 * together take effect together, through a joint configuration (Raft thesis §4.3).
 *
 * <p>Serializable, so that a {@link MembershipChangeException} naming the steps left can be; as
 * records, the steps are read back through their constructors, which check them again.
 */
public sealed interface MemberChange extends Serializable {

  /** The member this step is about. */
  NodeId id();

  /**
   * Adds {@code id} as a learner: it receives the log but neither votes nor counts in a quorum.
   *
   * @param address how to reach it (for example {@code host:port}), or {@code null}
   */
  record AddLearner(NodeId id, String address) implements MemberChange {
    public AddLearner {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * Adds {@code id} as a voter. The node joins as a learner first and is promoted once its log
   * is within the node's configured catch-up lag of the leader's, so that adding a member never
   * reduces availability while it catches up.
   *
   * @param address how to reach it, or {@code null}
   */
  record AddVoter(NodeId id, String address) implements MemberChange {
    public AddVoter {
      Objects.requireNonNull(id, "id");
    }
  }

  /** Promotes the learner {@code id} to voter, once it has caught up. */
  record Promote(NodeId id) implements MemberChange {
    public Promote {
      Objects.requireNonNull(id, "id");
    }
  }

  /** Removes the voter or learner {@code id}. */
  record Remove(NodeId id) implements MemberChange {
    public Remove {
      Objects.requireNonNull(id, "id");
    }
  }
}
