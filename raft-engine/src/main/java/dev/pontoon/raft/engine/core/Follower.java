package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver side of AppendEntries (§5.3, Figure 2) and InstallSnapshot (§7, Figure 13), and
 * the answers to messages of stale terms (§5.1).
 */
final class Follower {

  private static final Logger LOG = LoggerFactory.getLogger(Follower.class);
  private final RaftCore core;

  Follower(RaftCore core) {
    this.core = core;
  }

  /**
   * §5.1: reply false if term < currentTerm. The answer carries our term, so that a stale leader
   * or candidate steps down. Stale responses need no answer. Answers to stale AppendEntries echo
   * sequence 0: they must never count as acknowledgements in a later term of the same leader.
   */
  void answerStaleTerm(RaftMessage m) {
    if (m instanceof AppendEntries ae) {
      core.sendAfterSync(new AppendEntriesResponse(core.id, ae.from(), core.term, false, 0, 0, 0, 0));
    } else if (m instanceof RequestVote rv) {
      core.sendAfterSync(new RequestVoteResponse(core.id, rv.from(), core.term, false, rv.preVote()));
    } else if (m instanceof InstallSnapshot s) {
      core.sendAfterSync(new InstallSnapshotResponse(core.id, s.from(), core.term, s.lastIncludedIndex(), 0, false));
    } else {
      LOG.debug("{} drops a message of stale term {}: {}", core.id, m.term(), m);
    }
  }

  /** Accepts the sender as the leader of the current term (§5.2): a candidate steps down. */
  private void acceptLeader(RaftMessage m) {
    if (core.role() == Role.LEADER) {
      // Election Safety (§5.2): at most one leader per term. step refuses such a message from a
      // peer as malformed, so reaching this line means a broken local invariant.
      throw new IllegalStateException(core.id + " is leader of term " + core.term + " but " + m.from()
          + " claims it too");
    }
    if (core.role() != Role.FOLLOWER) {
      core.becomeFollower(core.term, m.from());
    }
    core.followerState.leader = m.from();
    core.electionElapsed = 0;
    core.ticksSinceLeaderHeard = 0;
  }

  /** Figure 2, AppendEntries receiver; the term was already reconciled by {@code step}. */
  void handleAppendEntries(AppendEntries ae) {
    acceptLeader(ae);
    RaftLog log = core.log;
    long commit = log.commitIndex();
    long prevLogIndex = ae.prevLogIndex();
    long prevLogTerm = ae.prevLogTerm();
    List<LogEntry> entries = ae.entries();
    if (prevLogIndex < commit) {
      // Entries up to commitIndex already match the leader's log (Leader Completeness, §5.4):
      // skip them rather than reading compacted terms.
      if (ae.lastIndex() <= commit) {
        respond(ae, true, commit, 0, 0);
        return;
      }
      int skip = (int) (commit - prevLogIndex);
      prevLogTerm = entries.get(skip - 1).term();
      prevLogIndex = commit;
      entries = entries.subList(skip, entries.size());
    }
    if (!log.matchTerm(prevLogIndex, prevLogTerm)) {
      // Reply false if log doesn't contain an entry at prevLogIndex whose term matches
      // prevLogTerm (§5.3), with a hint for fast backtracking.
      long last = log.lastIndex();
      if (prevLogIndex > last) {
        respond(ae, false, 0, 0, last + 1);
      } else {
        long conflictTerm = log.term(prevLogIndex);
        respond(ae, false, 0, conflictTerm, log.firstIndexOfTermAt(prevLogIndex, commit));
      }
      return;
    }
    // If an existing entry conflicts with a new one (same index, different term), delete it and
    // all that follow; append new entries not already in the log (§5.3). Entries already held
    // are left alone, so a stale or duplicated message never truncates anything.
    long conflict = log.findConflict(entries);
    if (conflict > 0) {
      core.appendToLog(entries.subList((int) (conflict - prevLogIndex - 1), entries.size()));
    }
    long lastNew = prevLogIndex + entries.size();
    // If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry).
    log.commitTo(Math.min(ae.leaderCommit(), lastNew));
    respond(ae, true, lastNew, 0, 0);
  }

  /** An acknowledgement promises the entries are stored: it leaves only after the sync. */
  private void respond(AppendEntries ae, boolean success, long matchIndex, long conflictTerm, long conflictIndex) {
    core.sendAfterSync(new AppendEntriesResponse(core.id, ae.from(), core.term, success, matchIndex, conflictTerm,
        conflictIndex, ae.sequence()));
  }

  /**
   * Figure 13, InstallSnapshot receiver. The core takes a snapshot whole: one message at offset 0
   * marked done. A piece of a larger, streamed snapshot (any other offset, or not done) only
   * shows that the leader is alive (§5.2): the runtime receives its bytes, stages and checks them,
   * and steps the whole snapshot in as one message (with its bytes left in the snapshot store)
   * once complete, which then lands here. {@code step} already refused a snapshot of an
   * impossible last included term ({@code MessageRules}).
   */
  void handleInstallSnapshot(InstallSnapshot s) {
    acceptLeader(s);
    RaftLog log = core.log;
    long index = s.lastIncludedIndex();
    if (s.offset() != 0 || !s.done()) {
      return;
    }
    if (index <= log.commitIndex()) {
      // Everything it covers is committed here already.
      answerSnapshot(s, s.data().size(), true);
      return;
    }
    if (log.matchTerm(index, s.lastIncludedTerm())) {
      // Figure 13 step 6: an existing entry has the snapshot's index and term: retain the log
      // after it; the snapshot's entries are committed.
      log.commitTo(index);
    } else {
      // Figure 13 steps 7-8: discard the entire log and restart it after the snapshot.
      Snapshot snapshot = new Snapshot(new SnapshotMeta(index, s.lastIncludedTerm(), s.config()), s.data());
      log.restore(snapshot);
      core.snapshotInstalled(snapshot);
      core.snapshotAvailable(snapshot);
      LOG.debug("{} restores a snapshot at index {} term {}", core.id, index, s.lastIncludedTerm());
    }
    answerSnapshot(s, s.data().size(), true);
  }

  private void answerSnapshot(InstallSnapshot s, long nextOffset, boolean success) {
    core.sendAfterSync(new InstallSnapshotResponse(core.id, s.from(), core.term, s.lastIncludedIndex(), nextOffset,
        success));
  }
}
