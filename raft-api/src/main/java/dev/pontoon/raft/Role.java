package dev.pontoon.raft;

/**
 * The role a node plays in its current term (Raft §5.1, thesis §9.6 for PreVote), or
 * {@link #STOPPED} once it has stopped.
 */
public enum Role {
  /** Follows a leader, or waits for one; answers votes and appends. */
  FOLLOWER,
  /** Probing with a PreVote whether it could win an election, without raising its term. */
  PRE_CANDIDATE,
  /** Has raised its term and asks for votes. */
  CANDIDATE,
  /** Accepts proposals and replicates its log. At most one per term. */
  LEADER,
  /**
   * Has stopped, after {@code close()} or a fatal failure, and takes no further part in the
   * cluster: it answers nothing and refuses every request. Only {@code RaftNode.status()}
   * reports it; the Raft core never plays it.
   */
  STOPPED
}
