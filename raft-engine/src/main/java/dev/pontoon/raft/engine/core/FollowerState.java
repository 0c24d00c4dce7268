package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;

/** What a follower knows in its term: the leader it heard from, if any. Built fresh in {@code becomeFollower}. */
final class FollowerState {
  /** The leader of the current term, once heard from; null until then. */
  NodeId leader;

  FollowerState(NodeId leader) {
    this.leader = leader;
  }
}
