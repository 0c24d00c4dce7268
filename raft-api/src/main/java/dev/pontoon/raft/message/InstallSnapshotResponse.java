package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;

/**
 * The answer to {@link InstallSnapshot} (Figure 13).
 *
 * @param from the follower
 * @param to the leader
 * @param term the follower's current term, for the leader to update itself
 * @param lastIncludedIndex the snapshot this answers
 * @param nextOffset the byte offset the follower expects next: with {@code success} false and a
 *     positive value, a piece was stored and the transfer goes on from there; 0 asks the leader
 *     to start over (a piece of a transfer the follower does not hold, or a whole that failed its
 *     checksum)
 * @param success whether the follower now holds the snapshot's log prefix (installed, or held
 *     already); pieces are acknowledged with {@code false} and their {@code nextOffset}
 */
public record InstallSnapshotResponse(NodeId from, NodeId to, long term, long lastIncludedIndex, long nextOffset,
    boolean success) implements RaftMessage {
  public InstallSnapshotResponse {
    RaftMessage.checkCommon(from, to, term);
    RaftMessage.requireNonNegative(lastIncludedIndex, "lastIncludedIndex");
    RaftMessage.requireNonNegative(nextOffset, "nextOffset");
  }
}
