package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.TimeoutNow;

/**
 * What the paper's rules say about every message a correct peer sends, checked on a peer's
 * message before the core acts on it. {@code RaftCore.step} runs these checks before anything
 * else, so a message that fails one changes nothing, not even the term.
 *
 * <p>The message records already check what needs no knowledge of Raft (non-negative terms and
 * indexes, entries consecutive from {@code prevLogIndex + 1}, so AppendEntries needs no check of
 * its own for them).
 */
final class MessageRules {

  /**
   * No correct cluster reaches a term or an index this large (2^62: a term a microsecond for
   * over a hundred thousand years); above it, arithmetic such as a campaign's {@code term + 1}
   * would overflow.
   */
  static final long MAX_TERM_OR_INDEX = 1L << 62;

  private MessageRules() {}

  /**
   * The checks that need no state of the receiver.
   *
   * @throws MalformedMessageException if {@code m} cannot come from a correct peer
   */
  static void check(RaftMessage m) {
    if (m.term() > MAX_TERM_OR_INDEX) {
      throw malformed(m, "term " + m.term() + " is beyond any a cluster reaches (" + MAX_TERM_OR_INDEX + ")");
    }
    if (m instanceof InstallSnapshot s && s.lastIncludedIndex() > MAX_TERM_OR_INDEX) {
      throw malformed(m, "lastIncludedIndex " + s.lastIncludedIndex() + " is beyond any a log reaches ("
          + MAX_TERM_OR_INDEX + ")");
    }
    if (m instanceof AppendEntries ae && (ae.prevLogIndex() > MAX_TERM_OR_INDEX
        || ae.leaderCommit() > MAX_TERM_OR_INDEX)) {
      throw malformed(m, "an index beyond any a log reaches (" + MAX_TERM_OR_INDEX + ")");
    }
    if (m instanceof AppendEntries ae) {
      checkAppendEntries(ae);
    } else if (m instanceof InstallSnapshot s) {
      requireLeaderTerm(s);
      // §7: the snapshot replaces entries of the leader's log, so of its term or earlier; only
      // index 0, before the first entry, has term 0.
      if (s.lastIncludedTerm() > s.term()) {
        throw malformed(s, "lastIncludedTerm " + s.lastIncludedTerm() + " is above the message's term");
      }
      requireTermZeroOnlyAtIndexZero(s, s.lastIncludedIndex(), s.lastIncludedTerm(), "lastIncluded");
    } else if (m instanceof TimeoutNow t) {
      requireLeaderTerm(t);
    } else if (m instanceof RequestVote rv) {
      requireLeaderTerm(rv);
    }
  }

  private static void checkAppendEntries(AppendEntries ae) {
    requireLeaderTerm(ae);
    // prevLogTerm is the term of an entry in the leader's log: at most the leader's term.
    if (ae.prevLogTerm() > ae.term()) {
      throw malformed(ae, "prevLogTerm " + ae.prevLogTerm() + " is above the message's term");
    }
    requireTermZeroOnlyAtIndexZero(ae, ae.prevLogIndex(), ae.prevLogTerm(), "prevLog");
    // The entries continue the leader's log after prevLogIndex: their terms never decrease from
    // prevLogTerm on (terms grow along every log, §5.3), and a leader creates entries only in its
    // own term, so none is above it (§5.3). An entry breaking this would break the log's order.
    long previous = ae.prevLogTerm();
    for (LogEntry e : ae.entries()) {
      if (e.term() < previous) {
        throw malformed(ae, "entry " + e.index() + " has term " + e.term() + " below the term " + previous
            + " before it");
      }
      if (e.term() > ae.term()) {
        throw malformed(ae, "entry " + e.index() + " has term " + e.term() + " above the message's term");
      }
      previous = e.term();
      if (e.kind() == EntryKind.CONFIGURATION) {
        try {
          ClusterConfig.fromBytes(e.payload());
        } catch (IllegalArgumentException bad) {
          throw malformed(ae, "entry " + e.index() + " is a configuration that does not decode: " + bad.getMessage());
        }
      }
    }
  }

  /**
   * The checks of a message of the current term arriving at its leader: no correct peer sends
   * one that only the leader of the term sends (Election Safety, §5.2: at most one leader per
   * term, and that is the receiver), nor an answer claiming more than this leader sent. Within
   * its term a leader's log only grows and its sequences only increase, so a correct answer never
   * names an index beyond the leader's last one, or a sequence not used yet.
   *
   * @param leader the receiver, leader of {@code m.term()}
   * @param lastIndex the leader's last log index
   * @param nextSequence the sequence of the leader's next AppendEntries
   * @throws MalformedMessageException if {@code m} cannot come from a correct peer
   */
  static void checkAtLeader(RaftMessage m, NodeId leader, long lastIndex, long nextSequence) {
    if (m instanceof AppendEntries || m instanceof InstallSnapshot || m instanceof TimeoutNow) {
      throw malformed(m, leader + " is the leader of that term, and a term has at most one (§5.2)");
    }
    if (m instanceof AppendEntriesResponse r) {
      if (r.sequence() >= nextSequence) {
        throw malformed(r, "echoes sequence " + r.sequence() + ", never sent (the next is " + nextSequence + ")");
      }
      if (r.success() && r.matchIndex() > lastIndex) {
        throw malformed(r, "acknowledges index " + r.matchIndex() + " beyond the leader's last " + lastIndex);
      }
    } else if (m instanceof InstallSnapshotResponse r && r.success() && r.lastIncludedIndex() > lastIndex) {
      throw malformed(r, "acknowledges a snapshot at " + r.lastIncludedIndex() + " beyond the leader's last "
          + lastIndex);
    }
  }

  /**
   * A candidate increments its term before it asks for votes (§5.2), from 0 on a new node, so
   * every candidate's and leader's term is at least 1. A peer's answer may carry term 0.
   */
  private static void requireLeaderTerm(RaftMessage m) {
    if (m.term() < 1) {
      throw malformed(m, "only a leader or a candidate sends it, and their term is at least 1");
    }
  }

  /** Every entry has a term of at least 1; index 0, before the first entry, has term 0. */
  private static void requireTermZeroOnlyAtIndexZero(RaftMessage m, long index, long term, String name) {
    if ((index == 0) != (term == 0)) {
      throw malformed(m, name + "Index " + index + " with " + name + "Term " + term
          + ": only index 0 has term 0");
    }
  }

  /** The exception for {@code m}, naming the message, its sender and term, and the rule it breaks. */
  private static MalformedMessageException malformed(RaftMessage m, String why) {
    return new MalformedMessageException(
        "malformed " + m.getClass().getSimpleName() + " from " + m.from() + " at term " + m.term() + ": " + why);
  }
}
