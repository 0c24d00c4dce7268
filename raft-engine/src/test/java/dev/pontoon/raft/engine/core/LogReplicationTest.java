package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.CoreUnderTest.appends;
import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static dev.pontoon.raft.engine.core.Fixtures.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Log replication, Raft §5.3 and Figure 2 (AppendEntries), with pipelining and batching. */
class LogReplicationTest {

  private static LogEntry e(long index, long term) {
    return LogEntry.command(index, term, cmd("x" + index + "t" + term));
  }

  private static Ready ackOnly(AppendEntriesResponse response) {
    return new Ready(null, List.of(), null, false, List.of(), List.of(response), List.of(), List.of(), List.of());
  }

  // ---------------------------------------------------------------- follower side

  /** Reply false if the log has no entry at prevLogIndex with prevLogTerm, hinting the conflicting term's first index (§5.3). */
  @Test
  void followerRejectsAppendWhenPrevLogTermDiffers() {
    CoreUnderTest c = CoreUnderTest.follower(3, 3, 1, 2, 2, 2);

    c.step(new AppendEntries(N2, N1, 3, 4, 3, List.of(e(5, 3)), 4, 7));

    Ready ready = c.persist();
    assertEquals(ackOnly(new AppendEntriesResponse(N1, N2, 3, false, 0, 2, 2, 7)), ready);
    assertEquals(entries(1, 2, 2, 2), c.storedLog());
  }

  /** A follower whose log is too short rejects with conflictTerm 0 and conflictIndex lastIndex + 1 (§5.3). */
  @Test
  void followerRejectsAppendWhenLogIsShorterThanPrevLogIndex() {
    CoreUnderTest c = CoreUnderTest.follower(3, 3, 1, 1);

    c.step(new AppendEntries(N2, N1, 3, 6, 3, List.of(), 0, 1));

    assertEquals(ackOnly(new AppendEntriesResponse(N1, N2, 3, false, 0, 0, 3, 1)), c.persist());
  }

  /** Reply false if term < currentTerm (§5.1): the answer carries the newer term, echoes no sequence, persists nothing. */
  @Test
  void followerRejectsAppendOfStaleTerm() {
    CoreUnderTest c = CoreUnderTest.follower(3, 5, 1);

    c.step(new AppendEntries(N2, N1, 4, 1, 1, List.of(e(2, 4)), 2, 9));

    assertEquals(ackOnly(new AppendEntriesResponse(N1, N2, 5, false, 0, 0, 0, 0)), c.persist());
    assertEquals(1, c.store.lastIndex());
  }

  /** A conflicting entry and all that follow it are deleted, then the new entries appended (§5.3). */
  @Test
  void followerTruncatesConflictingSuffixAndAppends() {
    CoreUnderTest c = CoreUnderTest.follower(3, 3, 1, 1, 2, 2);

    c.step(new AppendEntries(N2, N1, 3, 2, 1, List.of(e(3, 3), e(4, 3)), 0, 4));

    Ready ready = c.persist();
    assertEquals(List.of(e(3, 3), e(4, 3)), ready.entriesToAppend());
    assertTrue(ready.mustSync());
    assertEquals(List.of(new AppendEntriesResponse(N1, N2, 3, true, 4, 0, 0, 4)), ready.sendAfterSync());
    assertEquals(List.of(entries(1, 1).get(0), entries(1, 1).get(1), e(3, 3), e(4, 3)), c.storedLog());
  }

  /** Entries already held are not touched: a stale or duplicated AppendEntries never truncates (§5.3). */
  @Test
  void followerNeverTruncatesOnStaleOrDuplicateAppend() {
    CoreUnderTest c = CoreUnderTest.follower(3, 2, 1, 2);
    c.step(new AppendEntries(N2, N1, 2, 2, 2, List.of(e(3, 2), e(4, 2)), 0, 5));
    c.persist();

    // An older message of the same leader, carrying only a prefix of what we hold, arrives late.
    c.step(new AppendEntries(N2, N1, 2, 2, 2, List.of(e(3, 2)), 0, 3));

    Ready ready = c.persist();
    assertTrue(ready.entriesToAppend().isEmpty());
    assertEquals(List.of(new AppendEntriesResponse(N1, N2, 2, true, 3, 0, 0, 3)), ready.sendAfterSync());
    assertEquals(4, c.store.lastIndex());
  }

  /** commitIndex = min(leaderCommit, index of last new entry) (Figure 2). */
  @Test
  void followerCommitsUpToMinOfLeaderCommitAndLastNewEntry() {
    CoreUnderTest c = CoreUnderTest.follower(3, 2, 1, 1, 1, 1);

    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(), 3, 1));
    assertEquals(1, c.core.commitIndex());
    c.step(new AppendEntries(N2, N1, 2, 2, 1, List.of(e(3, 2)), 9, 2));

    assertEquals(3, c.core.commitIndex());
    assertEquals(List.of(entries(1).get(0), entries(1, 1).get(1), e(3, 2)), c.persist().committedEntries());
  }

  /** An acknowledgement promises stored entries, so it is only in sendAfterSync, with the sync requested. */
  @Test
  void appendAcknowledgementWaitsForSync() {
    CoreUnderTest c = CoreUnderTest.follower(3, 2);

    c.step(new AppendEntries(N2, N1, 2, 0, 0, List.of(e(1, 2)), 0, 1));

    Ready ready = c.persist();
    assertTrue(ready.sendNow().isEmpty());
    assertTrue(ready.mustSync());
    assertEquals(List.of(new AppendEntriesResponse(N1, N2, 2, true, 1, 0, 0, 1)), ready.sendAfterSync());
  }

  /** Entries at or below the follower's commit index already match; an append that overlaps them is trimmed, not checked. */
  @Test
  void followerSkipsEntriesItAlreadyCommitted() {
    CoreUnderTest c = CoreUnderTest.follower(3, 2, 1, 1, 2);
    c.step(new AppendEntries(N2, N1, 2, 3, 2, List.of(), 3, 1));
    c.persist();

    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(e(2, 1), e(3, 2), e(4, 2)), 3, 2));

    Ready ready = c.persist();
    assertEquals(List.of(e(4, 2)), ready.entriesToAppend());
    assertEquals(List.of(new AppendEntriesResponse(N1, N2, 2, true, 4, 0, 0, 2)), ready.sendAfterSync());
  }

  // ---------------------------------------------------------------- leader side

  /** With a hint, the leader skips the follower's whole conflicting term in one round trip (§5.3). */
  @Test
  void leaderBacktracksWithConflictHint() {
    // Leader log: 1 1 1 4 4 5 5 6 6 6, then its no-op of term 7 at 11.
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 6, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
    // Figure 7 (f): the follower holds term 3 at index 10 and term 2 from index 4.
    c.step(new AppendEntriesResponse(N2, N1, 7, false, 0, 3, 7, 1));

    AppendEntries probe = appends(c.persist()).get(0);
    // We hold no entry of term 3: retry from the follower's first index of that term.
    assertEquals(6, probe.prevLogIndex());
    assertEquals(5, probe.prevLogTerm());

    c.step(new AppendEntriesResponse(N2, N1, 7, false, 0, 2, 4, probe.sequence()));
    AppendEntries next = appends(c.persist()).get(0);
    assertEquals(3, next.prevLogIndex());
    assertEquals(1, next.prevLogTerm());
    assertEquals(8, next.entries().size());
  }

  /** When the leader holds entries of the conflicting term, it resumes after its last entry of that term (§5.3). */
  @Test
  void leaderResumesAfterItsLastEntryOfTheConflictingTerm() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 5, 1, 1, 1, 4, 4, 5, 5);
    // Follower holds term 4 at prevLogIndex 7 (e.g. entries 4..7 of term 4).
    c.step(new AppendEntriesResponse(N2, N1, 6, false, 0, 4, 4, 1));

    AppendEntries probe = appends(c.persist()).get(0);
    assertEquals(5, probe.prevLogIndex());
    assertEquals(4, probe.prevLogTerm());
  }

  /** A peer that gives no hint is still brought up to date, one entry per round trip (§5.3). */
  @Test
  void leaderBacktracksOneEntryAtATimeWithoutHint() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 2, 1, 1, 2);
    long seq = 1;
    for (long expectedPrev = 3; expectedPrev >= 0; expectedPrev--) {
      List<AppendEntries> sent = appends(c.persist());
      AppendEntries probe = sent.isEmpty() ? null : sent.get(0);
      if (expectedPrev < 3) {
        assertEquals(expectedPrev, probe.prevLogIndex());
        seq = probe.sequence();
      }
      if (expectedPrev > 0) {
        c.step(new AppendEntriesResponse(N2, N1, 3, false, 0, 0, 0, seq));
      }
    }
    c.step(c.ack(N2, 4, seq));
    assertEquals(4, c.core.commitIndex());
  }

  /** A rejection answering a message sent before the last backtrack is stale and ignored. */
  @Test
  void leaderIgnoresStaleRejection() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 2, 1, 1, 2);
    c.step(new AppendEntriesResponse(N2, N1, 3, false, 0, 0, 3, 1));
    AppendEntries probe = appends(c.persist()).get(0);
    assertEquals(2, probe.prevLogIndex());

    c.step(new AppendEntriesResponse(N2, N1, 3, false, 0, 0, 1, 1)); // duplicate of an old rejection

    assertTrue(appends(c.persist()).isEmpty());
    assertEquals(3, c.core.status().progress().get(N2).nextIndex());
  }

  /** In the replicate state AppendEntries are pipelined, at most maxInflightAppends outstanding. */
  @Test
  void pipeliningIsBoundedByTheInflightWindow() {
    CoreUnderTest c = CoreUnderTest.leader(2, Fixtures.plain().withMaxInflightAppends(2), 1);
    c.step(c.ack(N2, 1, 1)); // probe answered: replicate
    c.persist();

    for (int i = 0; i < 5; i++) {
      c.core.propose(cmd("p" + i));
      assertEquals(i < 2 ? 1 : 0, appends(c.persist()).size(), "proposal " + i);
    }
    c.step(c.ack(N2, 2, 2));

    AppendEntries resumed = appends(c.persist()).get(0);
    assertEquals(3, resumed.prevLogIndex());
    assertEquals(3, resumed.entries().size());
  }

  /** An AppendEntries carries at most maxEntriesPerAppend entries and maxBytesPerAppend bytes, but always one. */
  @Test
  void batchesAreBoundedByCountAndBytes() {
    CoreUnderTest c = CoreUnderTest.leader(2, Fixtures.plain().withMaxEntriesPerAppend(2), 1);
    c.step(c.ack(N2, 1, 1));
    c.persist();
    for (int i = 0; i < 5; i++) {
      c.core.propose(cmd("p" + i));
    }
    List<Integer> sizes = appends(c.persist()).stream().map(a -> a.entries().size()).toList();
    assertEquals(List.of(2, 2, 1), sizes);

    CoreUnderTest b = CoreUnderTest.leader(2, Fixtures.plain().withMaxBytesPerAppend(1), 1);
    b.step(b.ack(N2, 1, 1));
    b.persist();
    b.core.propose(cmd("a"));
    b.core.propose(cmd("b"));
    assertEquals(List.of(1, 1), appends(b.persist()).stream().map(a -> a.entries().size()).toList());
  }

  /** A follower in PROBE gets one AppendEntries at a time until it answers. */
  @Test
  void probeSendsOneAppendAtATime() {
    CoreUnderTest c = CoreUnderTest.leader(2, Fixtures.plain(), 1);

    c.core.propose(cmd("a"));
    c.core.propose(cmd("b"));

    assertTrue(appends(c.persist()).isEmpty(), "the election probe is still unanswered");
    c.step(c.ack(N2, 1, 1));
    assertEquals(2, appends(c.persist()).get(0).entries().size());
  }

  /** Heartbeats are AppendEntries without entries at the follower's matchIndex, carrying the commit index (§5.2). */
  @Test
  void leaderSendsHeartbeatsEveryHeartbeatInterval() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    c.step(c.ack(N2, 1, 1));
    c.step(c.ack(N3, 1, 2));
    c.persist();

    c.core.tick();
    assertTrue(appends(c.persist()).isEmpty());
    c.core.tick();

    assertEquals(List.of(
        new AppendEntries(N1, N2, 2, 1, 2, List.of(), 1, 3),
        new AppendEntries(N1, N3, 2, 1, 2, List.of(), 1, 4)), appends(c.persist()));
  }

  /** A follower that needs entries the leader has compacted away moves to SNAPSHOT: no AppendEntries, only heartbeats. */
  @Test
  void followerBehindTheCompactedLogWaitsForASnapshot() {
    dev.pontoon.raft.engine.memory.InMemoryLogStore store = Fixtures.store(1, null, 1, 1, 1, 1);
    store.truncatePrefix(3, 1);
    RaftCore core = new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), store, store.loadHardState(), 3,
        new java.util.SplittableRandom(1));
    core.campaign();
    core.step(new dev.pontoon.raft.message.RequestVoteResponse(N2, N1, 2, true, false));
    Ready elected = core.ready();
    store.append(elected.entriesToAppend());
    core.advance(elected);

    core.step(new AppendEntriesResponse(N3, N1, 2, false, 0, 0, 1, 2)); // n3's log is empty

    assertTrue(appends(core.ready()).isEmpty());
    core.tick();
    core.tick();
    List<AppendEntries> heartbeats = appends(core.ready());
    assertEquals(List.of(new AppendEntries(N1, N3, 2, 3, 1, List.of(), 3, 4)),
        heartbeats.stream().filter(a -> a.to().equals(N3)).toList());
    core.checkInvariants();
  }

  /** With a snapshot announced, a follower behind the compacted log is sent it; its answer resumes replication after it (§7). */
  @Test
  void leaderSendsItsSnapshotAndResumesAfterIt() {
    dev.pontoon.raft.engine.memory.InMemoryLogStore store = Fixtures.store(1, null, 1, 1, 1, 1);
    store.truncatePrefix(3, 1);
    RaftCore core = new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), store, store.loadHardState(), 3,
        new java.util.SplittableRandom(1));
    var snapshot = new dev.pontoon.raft.log.Snapshot(
        new dev.pontoon.raft.log.SnapshotMeta(3, 1, Fixtures.cluster(3)), dev.pontoon.raft.log.Bytes.ofUtf8("s3"));
    core.snapshotAvailable(snapshot);
    core.campaign();
    core.step(new dev.pontoon.raft.message.RequestVoteResponse(N2, N1, 2, true, false));
    Ready elected = core.ready();
    store.append(elected.entriesToAppend());
    core.advance(elected);

    core.step(new AppendEntriesResponse(N3, N1, 2, false, 0, 0, 1, 2));
    assertEquals(List.of(new dev.pontoon.raft.message.InstallSnapshot(N1, N3, 2, 3, 1, Fixtures.cluster(3), 0,
        dev.pontoon.raft.log.Bytes.ofUtf8("s3"), true)), core.ready().sendNow());

    core.step(new dev.pontoon.raft.message.InstallSnapshotResponse(N3, N1, 2, 3, 2, true));

    assertEquals(new CoreStatus.PeerProgress(3, 6), core.status().progress().get(N3));
    assertEquals(List.of(new AppendEntries(N1, N3, 2, 3, 1, List.of(entries(1, 1, 1, 1).get(3),
        LogEntry.noOp(5, 2)), 3, 3)), appends(core.ready()));
    assertThrows(NullPointerException.class, () -> core.snapshotAvailable(null));
    core.checkInvariants();
  }
}
