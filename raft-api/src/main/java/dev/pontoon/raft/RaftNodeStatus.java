package dev.pontoon.raft;

import dev.pontoon.raft.log.ClusterConfig;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a node knows of itself and, on a leader, of its followers, at one moment.
 *
 * @param id this node
 * @param role its role
 * @param term its {@code currentTerm}
 * @param leader the leader it knows of, or {@code null}
 * @param commitIndex highest index known to be committed
 * @param lastApplied highest index applied to the state machine
 * @param snapshotIndex last index covered by the latest snapshot, 0 when none
 * @param lastLogIndex index of the last entry in its log
 * @param config the cluster configuration in force (the latest in the log, committed or not; a
 *     joint one while a change of several voters is under way); null only on a node started to
 *     join a cluster that has not yet received any configuration from a leader
 * @param followers on a leader, the replication progress of every other member; empty otherwise
 */
public record RaftNodeStatus(NodeId id, Role role, long term, NodeId leader, long commitIndex, long lastApplied,
    long snapshotIndex, long lastLogIndex, ClusterConfig config, Map<NodeId, FollowerProgress> followers) {
  public RaftNodeStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(role, "role");
    followers = Map.copyOf(followers);
  }

  /** The leader, if one is known. */
  public Optional<NodeId> leaderId() {
    return Optional.ofNullable(leader);
  }

  /**
   * A leader's view of one follower (Figure 2, "volatile state on leaders").
   *
   * @param matchIndex highest index known to be replicated on the follower
   * @param nextIndex index of the next entry to send it
   * @param lag how many entries it is behind the leader's last index
   */
  public record FollowerProgress(long matchIndex, long nextIndex, long lag) {}
}
