package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;

/**
 * Invoked by the leader to replicate log entries (§5.3); also used as heartbeat (§5.2) with no
 * entries.
 *
 * @param from the leader ({@code leaderId} in the paper)
 * @param to the follower
 * @param term the leader's term
 * @param prevLogIndex index of the log entry immediately preceding the new ones
 * @param prevLogTerm term of the {@code prevLogIndex} entry
 * @param entries entries to store, consecutive from {@code prevLogIndex + 1}; empty for a
 *     heartbeat
 * @param leaderCommit the leader's {@code commitIndex}
 * @param sequence a number the leader increases with every AppendEntries it sends in a term;
 *     the follower echoes it, so that the leader can tell which round a response answers
 *     (used to confirm leadership for ReadIndex, thesis §6.4). 0 when unused.
 */
public record AppendEntries(NodeId from, NodeId to, long term, long prevLogIndex, long prevLogTerm,
    List<LogEntry> entries, long leaderCommit, long sequence) implements RaftMessage {
  public AppendEntries {
    RaftMessage.checkCommon(from, to, term);
    RaftMessage.requireNonNegative(prevLogIndex, "prevLogIndex");
    RaftMessage.requireNonNegative(prevLogTerm, "prevLogTerm");
    RaftMessage.requireNonNegative(leaderCommit, "leaderCommit");
    RaftMessage.requireNonNegative(sequence, "sequence");
    entries = List.copyOf(entries);
    long expected = prevLogIndex + 1;
    for (LogEntry e : entries) {
      if (e.index() != expected) {
        throw new IllegalArgumentException(
            "entries must be consecutive from prevLogIndex + 1 (" + (prevLogIndex + 1) + "): found index "
                + e.index() + " where " + expected + " was expected");
      }
      expected++;
    }
  }

  /** Index of the last entry carried, or {@code prevLogIndex} for a heartbeat. */
  public long lastIndex() {
    return prevLogIndex + entries.size();
  }
}
