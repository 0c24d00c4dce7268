package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;

/**
 * Sent by a leader transferring leadership once the target's log is up to date: the target
 * starts an election at once, as if its election timeout had elapsed (thesis §3.10).
 *
 * @param from the current leader
 * @param to the transfer target
 * @param term the leader's term
 */
public record TimeoutNow(NodeId from, NodeId to, long term) implements RaftMessage {
  public TimeoutNow {
    RaftMessage.checkCommon(from, to, term);
  }
}
