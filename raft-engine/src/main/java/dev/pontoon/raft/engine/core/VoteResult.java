package dev.pontoon.raft.engine.core;

/** The outcome of counting votes in one election (§5.2). */
enum VoteResult {
  /** Neither a majority of grants nor of rejections yet: keep waiting. */
  PENDING,
  /** A majority rejected: this election cannot be won. */
  LOST,
  /** A majority granted: the candidate wins. */
  WON
}
