package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.TimeoutNow;
import dev.pontoon.raft.storage.LogCompactedException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of log replication (§5.3), commitment (§5.4.2), ReadIndex (thesis §6.4),
 * CheckQuorum (thesis §6.2) and leadership transfer (thesis §3.10).
 */
final class Replication {

  /* Implementation notes.
   *
   * Flow control follows etcd: a follower in PROBE gets one AppendEntries at a time (paused until
   * it answers or the next heartbeat); in REPLICATE, AppendEntries are pipelined and nextIndex
   * advances on send, bounded by the Inflights window. Any rejection sends it back to PROBE.
   *
   * Every AppendEntries of a term carries a fresh, increasing sequence that the follower echoes.
   * It serves three times: a rejection answering a message sent before the last change of
   * state (PROBE, REPLICATE, SNAPSHOT, each resetting nextIndex) is stale and ignored; only the
   * first answer to a message newer than every one answered before may unblock sending, so a
   * network that duplicates or reorders answers cannot multiply the leader's sends; and a read
   * registered at sequence s is confirmed once a majority of voters echoed a sequence >= s.
   * Answers to messages of older terms echo sequence 0, which is below every sequence used, so
   * they can confirm nothing.
   *
   * Heartbeats are AppendEntries without entries whose prevLogIndex is the follower's
   * matchIndex: the follower surely holds it, so a heartbeat never triggers a spurious rejection
   * while pipelined appends are in flight, and the follower commits min(leaderCommit, match).
   *
   * Every read of the log here stays within the core's view of it (RaftLog), which starts right
   * after the latest snapshot announced, while the runtime compacts the store up to that
   * snapshot on another thread whenever it likes: whether a follower gets entries or the snapshot
   * is decided from the view, never from how far the store happens to be compacted. Should a read
   * for one follower find the log compacted anyway (a store compacted past the announced
   * snapshot, against the contract), that follower falls back to the snapshot or skips this send;
   * the exception never leaves tick, step or ready, so one bad read cannot stop the leader.
   */

  private static final Logger LOG = LoggerFactory.getLogger(Replication.class);
  private final RaftCore core;

  Replication(RaftCore core) {
    this.core = core;
  }

  LeaderState newLeaderState(boolean appendNoOp) {
    LeaderState ls = new LeaderState(durableLastIndex());
    long next = core.log.lastIndex() + 1;
    for (NodeId member : core.config().members()) {
      if (!member.equals(core.id)) {
        ls.progress.put(member, newProgress(next));
      }
    }
    // As in membersChanged: a member of the committed configuration that the latest, uncommitted
    // one removes keeps receiving the log (never counted) until the removal commits, so that it
    // learns of its removal rather than campaigning while the removal waits. It is flagged
    // removed, as membersChanged flags it: should it be added again, it is probed from scratch,
    // since the node added may be a new one under the old id (§5.3: a match index holds only
    // while that follower's log is known to extend ours).
    ClusterConfig committed = core.configAt(core.log.commitIndex());
    if (committed != null) {
      for (NodeId member : committed.members()) {
        if (!member.equals(core.id) && !ls.progress.containsKey(member)) {
          Progress pr = newProgress(next);
          pr.removed = true;
          ls.progress.put(member, pr);
        }
      }
    }
    if (appendNoOp) {
      // Thesis §6.4 / §5.4.2: a new leader commits an entry of its own term to learn which
      // entries are committed; earlier-term entries are then committed indirectly.
      core.appendToLog(List.of(LogEntry.noOp(next, core.term)));
      ls.broadcastPending = true;
    } else {
      // Bootstrap: every log holds only the same entry (1, 1) of this term, so there is nothing
      // of an earlier term to commit (RaftCore.bootstrapAsLeader).
      ls.committedInTerm = true;
      ls.heartbeatPending = true;
    }
    return ls;
  }

  private Progress newProgress(long next) {
    return new Progress(0, next, new Inflights(core.raftConfig.maxInflightAppends(), RaftCore.MAX_INFLIGHT_BYTES));
  }

  /**
   * The configuration in force changed: a new member is probed at once with the leader's last
   * entry (the configuration entry that adds it), backing up from there as it rejects (§5.3); it
   * counts as active for CheckQuorum until the next round, so that adding it cannot depose this
   * leader at once. A transfer to a node that is no voter any more is abandoned.
   *
   * <p>A member of the committed configuration that the new one removes keeps receiving the log
   * until the new one commits (it never counts: quorums are the new configuration's), so that it
   * usually learns of its removal and stops campaigning; then it is released
   * ({@link #releaseRemoved}). Only a node the committed configuration does not hold either is
   * forgotten at once.
   */
  void membersChanged(ClusterConfig config) {
    LeaderState ls = core.leaderState;
    ClusterConfig committed = core.configAt(core.log.commitIndex());
    ls.progress.keySet().removeIf(peer -> !config.contains(peer) && (committed == null || !committed.contains(peer)));
    ls.progress.forEach((peer, pr) -> pr.removed |= !config.contains(peer));
    for (NodeId member : config.members()) {
      Progress kept = ls.progress.get(member);
      if (!member.equals(core.id) && (kept == null || kept.removed)) {
        Progress pr = newProgress(Math.max(1, core.log.lastIndex()));
        pr.recentActive = true;
        ls.progress.put(member, pr);
        ls.broadcastPending = true;
      }
    }
    if (ls.transferee != null && !core.quorum.contains(ls.transferee)) {
      LOG.debug("{} abandons the transfer to {}, no longer a voter", core.id, ls.transferee);
      ls.transferee = null;
    }
    // Thesis §6.4 with §4.1: a read is confirmed by a quorum of the configuration in force, which
    // just changed; the acknowledgements already in may make one now (a leader left as the lone
    // voter is a quorum by itself, and no answer would ever come to confirm its pending reads).
    confirmReads();
  }

  /**
   * Once the configuration in force is committed, forgets each node it removed that holds its
   * entry, after a last heartbeat that tells it the entry is committed (so that it knows it is
   * out for good, and does not campaign: {@code RaftCore.removedByUncommittedConfig}). With
   * {@code all}, at each election timeout, forgets the others too: a removed node that does not
   * answer is not probed forever.
   */
  private void releaseRemoved(boolean all) {
    ClusterConfig config = core.config();
    long configIndex = core.configIndex();
    if (configIndex > core.log.commitIndex()) {
      return;
    }
    core.leaderState.progress.entrySet().removeIf(e -> {
      Progress pr = e.getValue();
      if (config.contains(e.getKey()) || (!all && pr.matchIndex < configIndex)) {
        return false;
      }
      sendHeartbeat(e.getKey(), pr);
      return true;
    });
  }

  /** The highest index this node knows it has persisted. */
  private long durableLastIndex() {
    UnstableLog unstable = core.log.unstable();
    if (unstable.snapshot() != null) {
      return 0;
    }
    return unstable.size() == 0 ? core.log.lastIndex() : unstable.offset() - 1;
  }

  // ------------------------------------------------------------ local input

  void appendLocal(LogEntry entry) {
    core.appendToLog(List.of(entry));
    // Sends are batched until the next ready(): many proposals share one AppendEntries.
    core.leaderState.broadcastPending = true;
  }

  /** The leader's own write reached disk: it may now count itself for these entries. */
  void selfPersisted(long index) {
    LeaderState ls = core.leaderState;
    if (index > ls.selfMatchIndex) {
      ls.selfMatchIndex = index;
      maybeCommit();
    }
  }

  void registerRead(long requestId) {
    LeaderState ls = core.leaderState;
    if (!ls.committedInTerm) {
      // Thesis §6.4: until the leader commits an entry of its term, its commitIndex may be
      // behind that of the previous leader; the read must wait.
      ls.reads.waitForTermCommit(requestId);
      return;
    }
    ls.reads.add(requestId, core.log.commitIndex(), ls.nextSequence);
    confirmReads();
    if (ls.reads.hasPending()) {
      ls.heartbeatPending = true;
    }
  }

  void transferLeadership(NodeId target) {
    LeaderState ls = core.leaderState;
    if (target.equals(core.id) || target.equals(ls.transferee)) {
      return;
    }
    ls.transferee = target;
    ls.transferElapsed = 0;
    LOG.debug("{} starts transferring leadership to {} at term {}", core.id, target, core.term);
    Progress pr = ls.progress.get(target);
    if (pr.matchIndex == core.log.lastIndex()) {
      core.sendNow(new TimeoutNow(core.id, target, core.term));
    } else {
      sendAppends(target);
    }
  }

  // ------------------------------------------------------------ time

  void tick() {
    LeaderState ls = core.leaderState;
    core.electionElapsed++;
    ls.heartbeatElapsed++;
    if (ls.transferee != null && ++ls.transferElapsed >= core.raftConfig.electionTimeoutMinTicks()) {
      // Thesis §3.10: abort a transfer that did not complete within an election timeout.
      LOG.debug("{} aborts leadership transfer to {}", core.id, ls.transferee);
      ls.transferee = null;
    }
    if (core.electionElapsed >= core.raftConfig.electionTimeoutMinTicks()) {
      core.electionElapsed = 0;
      releaseRemoved(true);
      if (core.raftConfig.checkQuorum() && !quorumActive()) {
        // Thesis §6.2: a leader that has not heard from a majority within an election timeout
        // steps down, so that clients can find the real leader.
        LOG.debug("{} lost contact with a quorum; stepping down at term {}", core.id, core.term);
        core.becomeFollower(core.term, null);
        return;
      }
    }
    if (ls.heartbeatElapsed >= core.raftConfig.heartbeatTicks()) {
      ls.heartbeatElapsed = 0;
      heartbeatRound();
    }
  }

  private boolean quorumActive() {
    var active = new java.util.HashSet<NodeId>();
    active.add(core.id);
    core.leaderState.progress.forEach((peer, pr) -> {
      if (pr.recentActive) {
        active.add(peer);
      }
      pr.recentActive = false;
    });
    return core.quorum.hasQuorum(active);
  }

  /** §5.2: idle periods are filled with heartbeats; a follower in PROBE gets a fresh probe instead. */
  private void heartbeatRound() {
    core.leaderState.progress.forEach((peer, pr) -> {
      if (pr.state == ProgressState.SNAPSHOT && ++pr.snapshotTicks * core.raftConfig.heartbeatTicks()
          >= core.raftConfig.electionTimeoutMaxTicks()) {
        // No answer to the snapshot within an election timeout: assume it was lost and retry.
        pr.becomeProbe(pr.nextIndex, core.leaderState.nextSequence);
      }
      pr.probeSent = false;
      if (pr.state != ProgressState.PROBE || !sendAppend(peer, pr, true)) {
        sendHeartbeat(peer, pr);
      }
    });
  }

  /** Sends what {@code propose}/{@code readIndex} batched since the last {@code ready()}. */
  void flush() {
    LeaderState ls = core.leaderState;
    if (ls.heartbeatPending) {
      ls.heartbeatPending = false;
      ls.progress.forEach(this::sendHeartbeat);
    }
    if (ls.broadcastPending) {
      ls.broadcastPending = false;
      for (NodeId peer : ls.progress.keySet()) {
        sendAppends(peer);
      }
    }
  }

  // ------------------------------------------------------------ sending

  /** Sends as many AppendEntries with entries as the follower's state allows. */
  private void sendAppends(NodeId peer) {
    Progress pr = core.leaderState.progress.get(peer);
    if (pr == null) {
      return; // no longer a member (the configuration changed while handling its answer)
    }
    while (sendAppend(peer, pr, false) && pr.state == ProgressState.REPLICATE) {
      // Pipelining (REPLICATE): keep sending while the window has room.
    }
  }

  /** Sends one AppendEntries from {@code nextIndex}; returns whether one left. */
  private boolean sendAppend(NodeId peer, Progress pr, boolean sendIfEmpty) {
    if (pr.isPaused()) {
      return false;
    }
    RaftLog log = core.log;
    long prevLogIndex = pr.nextIndex - 1;
    if (prevLogIndex < log.firstIndex() - 1) {
      // The follower needs entries that only a snapshot holds now (§7). The view says so as soon
      // as the snapshot is announced, however far the store is compacted yet.
      return becomeSnapshotAndSend(peer, pr);
    }
    long prevLogTerm;
    List<LogEntry> entries;
    try {
      prevLogTerm = log.term(prevLogIndex);
      long to = Math.min(log.lastIndex() + 1, pr.nextIndex + core.raftConfig.maxEntriesPerAppend());
      entries = log.entries(pr.nextIndex, to, core.raftConfig.maxBytesPerAppend());
    } catch (LogCompactedException e) {
      return compactedUnderfoot(peer, pr, e);
    }
    if (entries.isEmpty() && !sendIfEmpty) {
      return false;
    }
    long bytes = 0;
    for (LogEntry e : entries) {
      bytes += e.sizeInBytes();
    }
    core.sendNow(new AppendEntries(core.id, peer, core.term, prevLogIndex, prevLogTerm, entries,
        log.commitIndex(), core.leaderState.nextSequence++));
    pr.sent(prevLogIndex + entries.size(), bytes, !entries.isEmpty());
    return true;
  }

  /** §7: the follower needs entries only a snapshot holds: it waits in SNAPSHOT, and gets one if there is one. */
  private boolean becomeSnapshotAndSend(NodeId peer, Progress pr) {
    pr.becomeSnapshot(core.leaderState.nextSequence);
    return sendSnapshot(peer, pr);
  }

  /**
   * Defence in depth: a read for {@code peer} found the log compacted within the core's view, so
   * the store was compacted past the latest announced snapshot, which the runtime must never do.
   * It costs this follower its send, never the leader its leadership: the follower falls back to
   * the snapshot (§7), or skips this send if it already waits for one. Returns whether a message left.
   */
  private boolean compactedUnderfoot(NodeId peer, Progress pr, LogCompactedException e) {
    LOG.warn("{}: the log store was compacted past the core's view while replicating to {} ({}); {} waits for a "
        + "snapshot", core.id, peer, e.getMessage(), peer);
    return pr.state != ProgressState.SNAPSHOT && becomeSnapshotAndSend(peer, pr);
  }

  /**
   * §7, Figure 13: sends the latest snapshot in one chunk, if the runtime announced one that
   * reaches the log's first index; otherwise the follower waits in SNAPSHOT until one does. The
   * runtime announces snapshots without their bytes and takes this message as the request to
   * stream that snapshot to the follower in pieces (its {@code SnapshotSender}); the follower's
   * acknowledgements of pieces keep the transfer alive here ({@link #handleInstallSnapshotResponse}).
   */
  private boolean sendSnapshot(NodeId peer, Progress pr) {
    Snapshot snapshot = core.latestSnapshot;
    if (snapshot == null || snapshot.meta().lastIncludedIndex() < core.log.firstIndex() - 1) {
      LOG.debug("{} needs a snapshot for {} (next {} is compacted) but has none", core.id, peer, pr.nextIndex);
      return false;
    }
    SnapshotMeta meta = snapshot.meta();
    core.sendNow(new InstallSnapshot(core.id, peer, core.term, meta.lastIncludedIndex(), meta.lastIncludedTerm(),
        meta.config(), 0, snapshot.data(), true));
    LOG.debug("{} sends snapshot at {} to {}", core.id, meta.lastIncludedIndex(), peer);
    return true;
  }

  private void sendHeartbeat(NodeId peer, Progress pr) {
    RaftLog log = core.log;
    // Never below the view's first index - 1, whose term the log, or its snapshot, knows (§7).
    long prevLogIndex = Math.max(pr.matchIndex, log.firstIndex() - 1);
    long prevLogTerm;
    try {
      prevLogTerm = log.term(prevLogIndex);
    } catch (LogCompactedException e) {
      compactedUnderfoot(peer, pr, e);
      return;
    }
    core.sendNow(new AppendEntries(core.id, peer, core.term, prevLogIndex, prevLogTerm, List.of(),
        log.commitIndex(), core.leaderState.nextSequence++));
  }

  // ------------------------------------------------------------ responses

  void handleAppendEntriesResponse(AppendEntriesResponse r) {
    LeaderState ls = core.leaderState;
    Progress pr = ls.progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.recentActive = true;
    // Whether this answers a message sent after every one answered so far: each message gets at
    // most one such answer, however often the network duplicates it.
    boolean newest = r.sequence() > pr.ackedSequence;
    if (newest) {
      // Any answer in our term, even a rejection, shows the follower still accepts us (§6.4).
      pr.ackedSequence = r.sequence();
      confirmReads();
    }
    if (r.success()) {
      handleAppendSuccess(r.from(), pr, r.matchIndex(), newest);
    } else {
      handleAppendRejection(r, pr);
    }
  }

  /** {@code matchIndex} is at most our last index: {@code RaftCore.step} refused any other. */
  private void handleAppendSuccess(NodeId peer, Progress pr, long matchIndex, boolean newest) {
    if (pr.maybeUpdate(matchIndex)) {
      if (pr.state == ProgressState.REPLICATE) {
        pr.inflights.freeLE(matchIndex);
      } else {
        pr.becomeReplicate(core.leaderState.nextSequence);
      }
      maybeCommit();
      LeaderState ls = core.leaderState;
      if (ls == null) {
        return; // stepped down: removed from the configuration that just committed
      }
      if (!core.config().contains(peer)) {
        releaseRemoved(false); // a removed node now holds more: release it if it holds its removal
        if (!ls.progress.containsKey(peer)) {
          return;
        }
      }
      if (peer.equals(ls.transferee) && pr.matchIndex == core.log.lastIndex()) {
        core.sendNow(new TimeoutNow(core.id, peer, core.term));
      }
      sendAppends(peer);
      return;
    }
    if (!newest) {
      // No news from a duplicate or from an answer older than one already seen: it frees no room
      // in the window and no probe, so it sends nothing (etcd flow control). Sending once per
      // such answer would let a duplicating network multiply the leader's sends.
      return;
    }
    // No news, first answer to a heartbeat (or to an empty append): etcd's heartbeat-response
    // rule. The follower is reachable, so un-pause PROBE and free the oldest slot of a full
    // window, whose messages may have been lost; if the follower lags, send from nextIndex. In
    // REPLICATE with nothing new that is an empty append at nextIndex - 1: if the tail was lost
    // the follower rejects it and we fall back to PROBE (§5.3), so a lost tail cannot stall
    // replication. A message gets at most one such answer, so this never multiplies sends.
    pr.probeSent = false;
    if (pr.state == ProgressState.REPLICATE && pr.inflights.full()) {
      pr.inflights.freeFirstOne();
    }
    if (pr.matchIndex < core.log.lastIndex()) {
      sendAppend(peer, pr, true);
    }
  }

  private void handleAppendRejection(AppendEntriesResponse r, Progress pr) {
    if (r.sequence() < pr.minRejectSequence || pr.state == ProgressState.SNAPSHOT) {
      // Stale (answers a message sent before the last change of state reset nextIndex, e.g. a
      // duplicate of a rejection already acted on, or one overtaken by a success or a
      // snapshot), or a heartbeat's rejection while the follower waits for its snapshot: the
      // InstallSnapshotResponse decides. Acting on it would move nextIndex back for nothing.
      return;
    }
    long next;
    if (r.conflictTerm() == 0 && r.conflictIndex() == 0) {
      // No hint: back up one entry in PROBE (§5.3); in REPLICATE the rejected message is
      // unknown, but matchIndex + 1 is safe.
      next = pr.state == ProgressState.PROBE ? pr.nextIndex - 1 : pr.matchIndex + 1;
    } else if (r.conflictTerm() > 0) {
      // Fast backtracking (§5.3): skip the follower's whole conflicting term, or, if we hold
      // entries of that term, resume right after our last one. The search stays within the
      // view: an answer below it means the follower needs the snapshot, which sendAppend sends.
      long last;
      try {
        last = core.log.lastIndexOfTerm(r.conflictTerm(), pr.nextIndex - 1);
      } catch (LogCompactedException e) {
        compactedUnderfoot(r.from(), pr, e);
        return;
      }
      next = last >= 0 ? last + 1 : r.conflictIndex();
    } else {
      next = r.conflictIndex(); // the follower's log is shorter
    }
    // The rejected prevLogIndex was at most nextIndex - 1, so the next try is below it, and
    // never below what the follower is known to hold.
    next = Math.max(pr.matchIndex + 1, Math.min(next, pr.nextIndex - 1));
    pr.becomeProbe(next, core.leaderState.nextSequence);
    sendAppend(r.from(), pr, true);
  }

  void handleInstallSnapshotResponse(InstallSnapshotResponse r) {
    Progress pr = core.leaderState.progress.get(r.from());
    if (pr == null) {
      return;
    }
    pr.recentActive = true;
    if (r.success() && pr.maybeUpdate(r.lastIncludedIndex())) {
      pr.becomeReplicate(core.leaderState.nextSequence);
      maybeCommit();
      if (core.leaderState == null) {
        return; // stepped down: removed from the configuration that just committed
      }
    } else if (!r.success() && r.nextOffset() > 0 && pr.state == ProgressState.SNAPSHOT) {
      // A streamed transfer moves on (the runtime acknowledges each piece with the offset it
      // expects next): it is not lost, so it keeps its time; the runtime's sender acts on it.
      pr.snapshotTicks = 0;
      return;
    } else if (pr.state == ProgressState.SNAPSHOT) {
      pr.becomeProbe(pr.nextIndex, core.leaderState.nextSequence);
    }
    sendAppends(r.from());
  }

  // ------------------------------------------------------------ commit and reads

  /**
   * §5.3/§5.4.2: commitIndex becomes the highest N stored on a majority of voters (the leader
   * counting itself only up to what it persisted) such that log[N].term == currentTerm. Entries
   * of earlier terms are never committed by counting replicas (Figure 8), only indirectly.
   */
  private void maybeCommit() {
    LeaderState ls = core.leaderState;
    long n = core.quorum.committedIndex(v -> v.equals(core.id) ? ls.selfMatchIndex : matchOf(v));
    if (n <= core.log.commitIndex() || core.log.term(n) != core.term) {
      return;
    }
    core.log.commitTo(n);
    if (!ls.committedInTerm) {
      ls.committedInTerm = true;
      for (long requestId : ls.reads.drainWaiting()) {
        registerRead(requestId);
      }
    }
    configurationCommitted();
  }

  /**
   * Once the configuration in force is committed: a joint one is left at once (thesis §4.3, etcd's
   * auto-leave), by appending C<sub>new</sub>; and a leader that is no voter of a committed
   * C<sub>new</sub> steps down (thesis §4.2.2), first telling the most up-to-date voter to
   * campaign at once (TimeoutNow, §3.10) so that the cluster need not wait for an election
   * timeout. Safe: C<sub>new</sub> is committed, so its majority alone decides from now on.
   */
  private void configurationCommitted() {
    ClusterConfig config = core.config();
    if (core.configIndex() > core.log.commitIndex()) {
      return;
    }
    releaseRemoved(false);
    if (config.isJoint()) {
      ClusterConfig leaving = MembershipChange.leaving(config);
      LOG.info("{} leaves joint configuration {} for {}", core.id, config, leaving);
      appendLocal(new LogEntry(core.log.lastIndex() + 1, core.term, EntryKind.CONFIGURATION, leaving.toBytes()));
    } else if (!core.quorum.contains(core.id)) {
      NodeId successor = null;
      long best = -1;
      for (NodeId voter : core.quorum.voters()) {
        Progress pr = core.leaderState.progress.get(voter);
        if (pr != null && pr.matchIndex > best) {
          successor = voter;
          best = pr.matchIndex;
        }
      }
      if (successor != null && best == core.log.lastIndex()) {
        core.sendNow(new TimeoutNow(core.id, successor, core.term));
      }
      LOG.info("{} is no voter of the committed configuration {}; steps down at term {} (successor {})", core.id,
          config, core.term, successor);
      core.becomeFollower(core.term, null);
    }
  }

  private long matchOf(NodeId voter) {
    Progress pr = core.leaderState.progress.get(voter);
    return pr == null ? 0 : pr.matchIndex;
  }

  /** Thesis §6.4: reads whose sequence a majority of voters echoed are confirmed. */
  private void confirmReads() {
    LeaderState ls = core.leaderState;
    if (!ls.reads.hasPending()) {
      return;
    }
    long quorumSequence = core.quorum.committedIndex(v -> {
      if (v.equals(core.id)) {
        return Long.MAX_VALUE;
      }
      Progress pr = ls.progress.get(v);
      return pr == null ? 0 : pr.ackedSequence;
    });
    core.readsReady(ls.reads.confirm(quorumSequence));
  }
}
