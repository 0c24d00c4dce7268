package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.MembershipChangeException.Reason;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Computes the configuration a membership change leads to (Raft thesis §4.1-§4.3). Pure.
 *
 * <p><b>Why joint consensus, and when the fast path.</b> A change that adds or removes at most
 * one voter goes straight to C<sub>new</sub>: any majority of C<sub>old</sub> and any majority of
 * C<sub>new</sub> then overlap (thesis §4.1), so two leaders cannot be elected in one term. That
 * argument breaks when a leader changes while such a change is uncommitted (the single-server
 * bug of the thesis, §4.1 and its erratum): {@code RaftCore.proposeConfigChange} therefore refuses
 * a change until the leader has committed an entry of its own term, Ongaro's fix. Any change
 * of more than one voter — growing 3 to 5 in one step, or replacing a member — goes through a
 * joint configuration C<sub>old,new</sub> in which every decision needs both majorities, and the
 * leader leaves it on its own (etcd's auto-leave) as soon as it commits: joint consensus is safe
 * for any change, the fast path only saves one round for the common single-member one.
 * Learner changes move no voter: they always take the fast path.
 */
final class MembershipChange {

  private MembershipChange() {}

  /**
   * The configuration after {@code changes}: C<sub>new</sub> itself when at most one voter
   * differs, else the joint C<sub>old,new</sub>. {@code AddVoter} here adds a voter at once; the
   * runtime adds it as a learner first and promotes it once caught up.
   *
   * @throws MembershipChangeException (UNKNOWN_MEMBER or INVALID_CHANGE) if a step does not fit
   *     {@code current}, two steps name one node, or no voter would remain
   */
  static ClusterConfig next(ClusterConfig current, List<MemberChange> changes) {
    if (changes.isEmpty()) {
      throw invalid("a membership change needs at least one step");
    }
    if (current.isJoint()) {
      throw new MembershipChangeException(Reason.CHANGE_IN_PROGRESS, "the configuration is joint: " + current);
    }
    Set<NodeId> seen = new HashSet<>();
    TreeSet<NodeId> voters = new TreeSet<>(current.voters());
    TreeSet<NodeId> learners = new TreeSet<>(current.learners());
    Map<NodeId, String> addresses = new TreeMap<>(current.addresses());
    for (MemberChange change : changes) {
      NodeId id = change.id();
      if (!seen.add(id)) {
        throw invalid("two steps name " + id);
      }
      if (change instanceof MemberChange.AddLearner a) {
        requireNew(current, id);
        learners.add(id);
        putAddress(addresses, id, a.address());
      } else if (change instanceof MemberChange.AddVoter a) {
        requireNew(current, id);
        voters.add(id);
        putAddress(addresses, id, a.address());
      } else if (change instanceof MemberChange.Promote) {
        if (!current.contains(id)) {
          throw unknown(id, current);
        }
        if (!learners.remove(id)) {
          throw invalid(id + " is already a voter in " + current);
        }
        voters.add(id);
      } else if (change instanceof MemberChange.Remove) {
        if (!current.contains(id)) {
          throw unknown(id, current);
        }
        voters.remove(id);
        learners.remove(id);
        addresses.remove(id);
      }
    }
    if (voters.isEmpty()) {
      throw invalid("the change would leave no voter");
    }
    Set<NodeId> changed = new TreeSet<>(voters);
    changed.addAll(current.voters());
    Set<NodeId> kept = new TreeSet<>(voters);
    kept.retainAll(current.voters());
    changed.removeAll(kept);
    if (changed.size() <= 1) {
      return new ClusterConfig(voters, learners, Set.of(), addresses);
    }
    // Joint: removed voters stay reachable (their addresses kept) until the joint config is left.
    for (NodeId old : current.voters()) {
      current.address(old).ifPresent(a -> addresses.putIfAbsent(old, a));
    }
    return new ClusterConfig(voters, learners, current.voters(), addresses);
  }

  /** C<sub>new</sub> of the joint {@code joint}: its incoming voters, learners and their addresses. */
  static ClusterConfig leaving(ClusterConfig joint) {
    Map<NodeId, String> addresses = new TreeMap<>(joint.addresses());
    addresses.keySet().removeIf(id -> !joint.voters().contains(id) && !joint.learners().contains(id));
    return new ClusterConfig(joint.voters(), joint.learners(), Set.of(), addresses);
  }

  private static void requireNew(ClusterConfig current, NodeId id) {
    if (current.contains(id)) {
      throw invalid(id + " is already a member of " + current);
    }
  }

  private static void putAddress(Map<NodeId, String> addresses, NodeId id, String address) {
    if (address != null) {
      addresses.put(id, address);
    }
  }

  private static MembershipChangeException unknown(NodeId id, ClusterConfig current) {
    return new MembershipChangeException(Reason.UNKNOWN_MEMBER, id + " is not a member of " + current);
  }

  private static MembershipChangeException invalid(String message) {
    return new MembershipChangeException(Reason.INVALID_CHANGE, message);
  }
}
