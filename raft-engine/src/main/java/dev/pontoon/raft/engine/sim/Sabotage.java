package dev.pontoon.raft.engine.sim;

/**
 * Test-only ways to break a safety rule in the simulated runtime, to prove that the checkers
 * catch what they claim to: a checker that never fails is a defect.
 */
enum Sabotage {
  /** Nothing broken: the runtime follows every rule. */
  NONE,
  /** A crash loses {@code currentTerm} and {@code votedFor} (breaks Figure 2's persistent state). */
  FORGET_HARD_STATE_ON_CRASH,
  /**
   * Votes and append acks leave before the hard state and entries are durable (breaks Ready's
   * contract). Core mode only: the runtime under test is the production one.
   */
  ACK_BEFORE_SYNC,
  /** Any node answers reads from its local state without ReadIndex (breaks thesis §6.4). */
  LOCAL_READS,
  /**
   * The disk's sync returns without making anything durable, so a crash loses every write
   * (breaks the {@code LogStore} durability guarantee the runtime relies on). Runtime mode only.
   */
  LYING_SYNC,
  /**
   * A leader answers a write {@code NotLeaderException} after appending it, so the client resends
   * a command that may already commit (breaks {@code NotLeaderException}'s contract: nothing was
   * appended, a retry is safe).
   */
  NOT_LEADER_AFTER_APPEND,
  /**
   * One submit in four hands out a future that nothing completes, as a runtime that lost a pending
   * request would (breaks {@code RaftNode}'s promise that every future completes, at the latest
   * when the node is closed). Runtime modes only.
   */
  DROPPED_FUTURE,
  /**
   * The snapshot store breaks its reader rules: a snapshot that is no longer the newest refuses to
   * open, even while a stream over it is open (breaks {@code SnapshotStore}'s "Readers" rule 2).
   * The runtime relies on the rule for progress only, not for safety. Runtime modes only.
   */
  SNAPSHOT_READERS_IGNORED
}
