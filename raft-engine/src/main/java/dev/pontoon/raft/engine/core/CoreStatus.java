package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.Map;

/**
 * The core's state at one moment, for the runtime, tools and tests.
 *
 * @param id this node
 * @param role its role
 * @param term {@code currentTerm}
 * @param votedFor {@code votedFor}, or null
 * @param leader the known leader, or null
 * @param commitIndex {@code commitIndex}
 * @param lastIndex index of the last entry in the log (stable or not)
 * @param lastTerm term of that entry
 * @param config the configuration in force (the latest in the log, committed or not); null on a
 *     node started to join that has not received one yet
 * @param progress on a leader, {@code matchIndex}/{@code nextIndex} per follower; empty otherwise
 */
public record CoreStatus(NodeId id, Role role, long term, NodeId votedFor, NodeId leader, long commitIndex,
    long lastIndex, long lastTerm, ClusterConfig config, Map<NodeId, PeerProgress> progress) {

  public CoreStatus {
    // The core's own map is immutable already; any other is copied.
    progress = progress instanceof ProgressMap ? progress : Map.copyOf(progress);
  }

  /**
   * A leader's view of one follower.
   *
   * @param matchIndex highest index known replicated on it
   * @param nextIndex next index to send it
   */
  public record PeerProgress(long matchIndex, long nextIndex) {}
}
