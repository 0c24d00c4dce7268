package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;

/**
 * The answer to {@link RequestVote} (Raft Figure 2).
 *
 * @param from the voter
 * @param to the candidate
 * @param term the voter's current term, for the candidate to update itself; for a granted
 *     PreVote, the term of the request
 * @param voteGranted true means the candidate received the vote
 * @param preVote whether this answers a PreVote probe
 */
public record RequestVoteResponse(NodeId from, NodeId to, long term, boolean voteGranted, boolean preVote)
    implements RaftMessage {
  public RequestVoteResponse {
    RaftMessage.checkCommon(from, to, term);
  }
}
