package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;

/**
 * Invoked by candidates to gather votes (Raft §5.2, Figure 2), or by pre-candidates to learn
 * whether they could win without raising their term (PreVote, thesis §9.6).
 *
 * @param from the candidate
 * @param to the voter asked
 * @param term the candidate's term; for a PreVote the term it would campaign in
 * @param lastLogIndex index of the candidate's last log entry (§5.4)
 * @param lastLogTerm term of the candidate's last log entry (§5.4)
 * @param preVote whether this is a PreVote probe; granting it changes no state
 * @param leadershipTransfer whether the candidate campaigns because the leader asked it to
 *     (TimeoutNow); a voter then ignores its own belief that a leader is alive (thesis §3.10)
 */
public record RequestVote(NodeId from, NodeId to, long term, long lastLogIndex, long lastLogTerm,
    boolean preVote, boolean leadershipTransfer) implements RaftMessage {
  public RequestVote {
    RaftMessage.checkCommon(from, to, term);
    RaftMessage.requireNonNegative(lastLogIndex, "lastLogIndex");
    RaftMessage.requireNonNegative(lastLogTerm, "lastLogTerm");
  }
}
