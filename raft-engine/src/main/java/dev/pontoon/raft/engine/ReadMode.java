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
   * {@code (electionTimeoutMinTicks − 1) × tickInterval × (1 − clockDriftBound)} ago. Falls back
   * to ReadIndex when the lease has lapsed, before the leader committed an entry of its term, and
   * for the rest of a term in which a leadership transfer was requested (a transfer bypasses the
   * followers' refusal below). The decision is taken on the core's state at the moment of the
   * read.
   *
   * <p><b>Safe only if all of these hold:</b>
   * <ul>
   *   <li>no node's clock (tick rate) runs faster than another's by more than the drift bound;
   *   <li>CheckQuorum is on for <em>every</em> voter, with the same minimum election timeout: a
   *       follower that heard from the leader refuses votes for that long, which is what keeps a
   *       new leader from being elected while the lease lasts. A node cannot check its peers'
   *       settings; the builder checks only its own, so configure every member alike;
   *   <li>a voter that restarts refuses votes for one minimum election timeout, since it forgot
   *       when it last heard from the leader (the core enforces this).
   * </ul>
   */
  LEASE
}
