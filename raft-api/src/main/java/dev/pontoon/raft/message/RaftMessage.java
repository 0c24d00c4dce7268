package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;

/**
 * A message between two Raft nodes. The family is sealed, so that every consumer (the core's
 * dispatch, codecs) can be checked for completeness; every message names its sender, its
 * receiver and the sender's term.
 *
 * <p>Messages are immutable values and may be dropped, duplicated, delayed or reordered by a
 * transport: Raft tolerates all of these.
 */
public sealed interface RaftMessage
    permits RequestVote, RequestVoteResponse, AppendEntries, AppendEntriesResponse,
        InstallSnapshot, InstallSnapshotResponse, TimeoutNow {

  /** The sender. */
  NodeId from();

  /** The receiver. */
  NodeId to();

  /** The sender's current term (for a PreVote request: the term it would campaign in). */
  long term();

  /** Checks the fields every message shares. */
  static void checkCommon(NodeId from, NodeId to, long term) {
    java.util.Objects.requireNonNull(from, "from");
    java.util.Objects.requireNonNull(to, "to");
    requireNonNegative(term, "term");
  }

  /** Throws {@link IllegalArgumentException} when {@code value} is negative. */
  static void requireNonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " (" + value + ") must be >= 0");
    }
  }
}
