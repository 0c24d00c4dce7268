package dev.pontoon.raft;

/** The role a node plays in its current term (Raft §5.1, thesis §9.6 for PreVote). */
public enum Role {
  /** Follows a leader, or waits for one; answers votes and appends. */
  FOLLOWER,
  /** Probing with a PreVote whether it could win an election, without raising its term. */
  PRE_CANDIDATE,
  /** Has raised its term and asks for votes. */
  CANDIDATE,
  /** Accepts proposals and replicates its log. At most one per term. */
  LEADER
}
