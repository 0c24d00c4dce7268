package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;

/**
 * The answer to {@link InstallSnapshot} (Figure 13).
 *
 * @param from the follower
 * @param to the leader
 * @param term the follower's current term, for the leader to update itself
 * @param lastIncludedIndex the snapshot this answers
 * @param nextOffset the byte offset the follower expects next; after the last chunk, the
 *     snapshot's size
 * @param success whether the chunk was accepted (false when out of order)
 */
public record InstallSnapshotResponse(NodeId from, NodeId to, long term, long lastIncludedIndex, long nextOffset,
    boolean success) implements RaftMessage {
  public InstallSnapshotResponse {
    RaftMessage.checkCommon(from, to, term);
    RaftMessage.requireNonNegative(lastIncludedIndex, "lastIncludedIndex");
    RaftMessage.requireNonNegative(nextOffset, "nextOffset");
  }
}
