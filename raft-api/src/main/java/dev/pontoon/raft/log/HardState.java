package dev.pontoon.raft.log;

import dev.pontoon.raft.NodeId;
import java.util.Optional;

/**
 * The state a node must persist before it answers any RPC (Raft Figure 2, "Persistent state
 * on all servers"): {@code currentTerm} and {@code votedFor}. The log itself is persisted by the
 * {@code LogStore} alongside.
 *
 * @param currentTerm latest term this node has seen, from 0
 * @param votedFor the candidate that received this node's vote in {@code currentTerm}, or
 *     {@code null} when it has voted for none
 */
public record HardState(long currentTerm, NodeId votedFor) {
  /** The state of a node that has never run: term 0, no vote. */
  public static final HardState INITIAL = new HardState(0, null);

  public HardState {
    if (currentTerm < 0) {
      throw new IllegalArgumentException("currentTerm (" + currentTerm + ") must be >= 0");
    }
  }

  /** The vote, if any. */
  public Optional<NodeId> vote() {
    return Optional.ofNullable(votedFor);
  }
}
