package dev.pontoon.raft.engine.core;

/** How a leader currently sends to one follower. */
enum ProgressState {
  /** Where the follower's log matches is unknown: one AppendEntries at a time, until one succeeds. */
  PROBE,
  /** The follower matches: AppendEntries are pipelined, advancing nextIndex optimistically. */
  REPLICATE,
  /** The follower needs entries the leader no longer holds: only a snapshot can help. */
  SNAPSHOT
}
