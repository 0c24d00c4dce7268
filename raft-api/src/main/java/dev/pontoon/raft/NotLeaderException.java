package dev.pontoon.raft;

import java.util.Optional;

/**
 * This node is not the leader, so it did not accept the request. Nothing was appended: retry
 * on the leader named by {@link #leaderHint()}, or on another node when no leader is known.
 */
public final class NotLeaderException extends RaftException {
  private static final long serialVersionUID = 1L;
  private final NodeId local;
  private final NodeId leader;

  /**
   * @param local the node that refused
   * @param leader the leader it knows of, or {@code null} when it knows none
   */
  public NotLeaderException(NodeId local, NodeId leader) {
    super(local + " is not the leader; known leader is: " + (leader == null ? "none" : leader.value()));
    this.local = local;
    this.leader = leader;
  }

  /** The node that refused the request. */
  public NodeId local() {
    return local;
  }

  /** The leader the refusing node knows of, if any. */
  public Optional<NodeId> leaderHint() {
    return Optional.ofNullable(leader);
  }

  @Override
  public boolean mayStillCommit() {
    return false;
  }
}
