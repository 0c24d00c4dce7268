package dev.pontoon.raft.engine;

/**
 * How a {@link RaftServer} serves linearizable reads ({@code RaftNode.read}).
 *
 * @see RaftServerBuilder#readMode(ReadMode)
 */
public enum ReadMode {
  /**
   * Every read confirms leadership with a round of heartbeats to a quorum (ReadIndex, thesis
   * §6.4). Safe whatever the clocks do; costs one round trip per batch of reads.
   */
  READ_INDEX,
  /**
   * Reads are served from the leader's lease (thesis §6.4.1), without a round trip, while a
   * quorum acknowledged heartbeats sent less than
   * {@code (electionTimeoutMinTicks − 1) × tickInterval × (1 − clockDriftBound)} ago. Correct
   * only if no node's clock (tick rate) runs faster than another's by more than the drift bound,
   * and only with CheckQuorum (which the builder enforces): a follower that heard from the leader
   * refuses votes for the minimum election timeout. Falls back to ReadIndex when the lease has
   * lapsed, before the leader committed an entry of its term, and for the rest of a term in which
   * a leadership transfer was requested (a transfer bypasses the followers' refusal).
   */
  LEASE
}
