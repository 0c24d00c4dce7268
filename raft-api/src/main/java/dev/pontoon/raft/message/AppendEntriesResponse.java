package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;

/**
 * The answer to {@link AppendEntries} (Raft Figure 2), with a hint for fast backtracking.
 *
 * <p>On rejection the follower may say where its log diverges, so that the leader can skip a
 * whole term at a time instead of one entry per round trip (§5.3, "the follower can include
 * the term of the conflicting entry and the first index it stores for that term"). A peer that
 * sends no hint ({@code conflictTerm = 0}, {@code conflictIndex = 0}) is still handled: the
 * leader then backs up by one entry.
 *
 * @param from the follower
 * @param to the leader
 * @param term the follower's current term, for the leader to update itself
 * @param success true if the follower contained an entry matching {@code prevLogIndex} and
 *     {@code prevLogTerm}, and now stores the entries sent
 * @param matchIndex on success, the index of the last entry known to match the leader's log
 *     ({@code prevLogIndex + entries.size()}); 0 on rejection
 * @param conflictTerm on rejection, the term of the follower's entry at {@code prevLogIndex}, or
 *     0 when its log is shorter than that (or when no hint is given)
 * @param conflictIndex on rejection, the first index the follower stores for
 *     {@code conflictTerm}, or its last index + 1 when its log is too short; 0 for no hint
 * @param sequence the {@link AppendEntries#sequence()} this answers
 */
public record AppendEntriesResponse(NodeId from, NodeId to, long term, boolean success, long matchIndex,
    long conflictTerm, long conflictIndex, long sequence) implements RaftMessage {
  public AppendEntriesResponse {
    RaftMessage.checkCommon(from, to, term);
    RaftMessage.requireNonNegative(matchIndex, "matchIndex");
    RaftMessage.requireNonNegative(conflictTerm, "conflictTerm");
    RaftMessage.requireNonNegative(conflictIndex, "conflictIndex");
    RaftMessage.requireNonNegative(sequence, "sequence");
  }
}
