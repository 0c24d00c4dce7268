package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.storage.LogStore;

/**
 * Figure 2: currentTerm, votedFor and log[] are "updated on stable storage before responding to
 * RPCs". One per simulated node, told of its syncs, truncations and crashes, it checks every
 * message the node sends against what its disk holds durably at that moment, so that a message
 * promising what a crash of the machine could take back is caught when it leaves, not only in the
 * rare run where that crash then breaks a safety property.
 *
 * <p>What a message promises:
 * <ul>
 *   <li>every message but a PreVote probe or a granted PreVote carries its sender's current
 *       term, which must be durable: a term lost in a crash lets the node vote again in it;
 *   <li>a candidate's RequestVote, its vote for itself in that term (§5.2);
 *   <li>a granted vote, that vote, durable (§5.2: at most one vote per term);
 *   <li>a successful AppendEntriesResponse, the log up to its match index: the leader counts it
 *       towards commitment (§5.3);
 *   <li>a successful InstallSnapshotResponse, the snapshot's prefix (Figure 13).
 * </ul>
 * A leader's AppendEntries promises no log of its own: it may send before its own write (thesis
 * §10.2.1).
 *
 * <p>The check runs when a message leaves, which may be after its sender moved on to a later
 * term, and replaced entries it had acknowledged as the new term's leader asked. A message of a
 * term below the durable one is settled by that term (the node never votes in an older term
 * again; the network may delay any message that long): only its term is checked. One of the
 * durable term while a later one is written but not yet synced is checked in full, its log
 * promise against the highest log index any sync made durable since the last crash, which a
 * later truncation does not lower.
 */
final class DurableBeforeSent {

  /** The hard state on disk as the last sync (or crash) left it durable. */
  private HardState durableHardState = HardState.INITIAL;
  /** The highest index up to which the log, as it reads now, is durable. */
  private long durableLogIndex;
  /** The highest log index any sync made durable since the last crash; truncations leave it. */
  private long durableHighWater;

  /** The node's store synced: everything written to {@code disk} so far is durable. */
  void synced(LogStore disk) {
    durableHardState = disk.loadHardState();
    durableLogIndex = disk.lastIndex();
    durableHighWater = Math.max(durableHighWater, durableLogIndex);
  }

  /**
   * The node truncated {@code disk}'s log, at either end, not yet synced. Entries past the new
   * last index are not the durable ones any more; after a discard of the whole log (§7) the
   * snapshot, already durable in its own store, holds the prefix.
   */
  void truncated(LogStore disk) {
    durableLogIndex = Math.min(durableLogIndex, disk.lastIndex());
  }

  /**
   * The node's process crashed, leaving {@code disk} with writes kept unsynced in the machine's
   * cache on top of what a sync made durable. (A crash that leaves only durable writes is a
   * {@link #synced}.)
   */
  void crashed(InMemoryLogStore disk) {
    InMemoryLogStore durable = disk.durableCopy();
    durableHardState = durable.loadHardState();
    durableLogIndex = agreement(durable, disk);
    durableHighWater = durableLogIndex;
  }

  /**
   * What {@code m}, leaving the node now, promises beyond what its disk holds durably, or null
   * if nothing.
   *
   * @param writtenTerm the node's term as last written, synced or not
   * @param snapshotIndex last index of the node's newest durable snapshot, 0 if none
   */
  String unpersisted(RaftMessage m, long writtenTerm, long snapshotIndex) {
    long durableLog = m.term() < writtenTerm ? durableHighWater : durableLogIndex;
    return unpersisted(m, durableHardState, durableLog, snapshotIndex);
  }

  /**
   * Whether the node holds the entry ({@code index}, {@code term}) durably: in the part of
   * {@code log} (its log as it reads now) that is durable, or in its durable snapshot.
   */
  boolean holds(LogStore log, long index, long term, long snapshotIndex) {
    if (index <= snapshotIndex) {
      return true; // a snapshot holds a committed prefix
    }
    return index <= durableLogIndex && index >= log.firstIndex() && log.term(index) == term;
  }

  /** The highest index up to which two logs of one node hold the same entries (both hold it). */
  private static long agreement(LogStore a, LogStore b) {
    long i = Math.max(a.firstIndex(), b.firstIndex());
    long last = Math.min(a.lastIndex(), b.lastIndex());
    while (i <= last && a.term(i) == b.term(i)) {
      i++;
    }
    return Math.min(i - 1, last);
  }

  /**
   * What {@code m} promises beyond the durable state, or null if nothing.
   *
   * @param durable the sender's hard state as its last sync left it on disk
   * @param durableLogIndex the highest log index the message's promise may rest on: the durable
   *     part of the log as it reads now, or for a message of an older term than the one written,
   *     the highest index a sync made durable
   * @param snapshotIndex last index of the sender's newest durable snapshot, 0 if none
   */
  static String unpersisted(RaftMessage m, HardState durable, long durableLogIndex, long snapshotIndex) {
    if (m instanceof RequestVote r && r.preVote() || m instanceof RequestVoteResponse v && v.preVote() && v.voteGranted()) {
      return null; // a PreVote changes no state; a granted one carries the probe's term (thesis §9.6)
    }
    if (m.term() > durable.currentTerm()) {
      return "its term " + m.term() + " is not durable (the disk holds term " + durable.currentTerm() + ")";
    }
    if (m.term() < durable.currentTerm() || m instanceof RequestVoteResponse v && v.preVote()) {
      return null;
    }
    boolean votedDurably = durable.votedFor() != null;
    if (m instanceof RequestVote && !(votedDurably && durable.votedFor().equals(m.from()))) {
      return "the candidate's vote for itself in term " + m.term() + " is not durable (the disk holds " + durable + ")";
    }
    if (m instanceof RequestVoteResponse v && v.voteGranted() && !(votedDurably && durable.votedFor().equals(m.to()))) {
      return "the vote it grants in term " + m.term() + " is not durable (the disk holds " + durable + ")";
    }
    long durablePrefix = Math.max(durableLogIndex, snapshotIndex);
    if (m instanceof AppendEntriesResponse a && a.success() && a.matchIndex() > durablePrefix) {
      return "it acknowledges the log up to " + a.matchIndex() + " but only " + durablePrefix + " is durable";
    }
    if (m instanceof InstallSnapshotResponse s && s.success() && s.lastIncludedIndex() > durablePrefix) {
      return "it acknowledges the snapshot up to " + s.lastIncludedIndex() + " but only " + durablePrefix
          + " is durable";
    }
    return null;
  }
}
