package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.TimeoutNow;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A message no correct peer can send is refused with {@link MalformedMessageException} before it
 * changes anything (not even the term), nothing is persisted or sent for it, and the node goes on
 * handling valid messages. A faulty peer must never stop a node or corrupt its log.
 */
class MalformedMessageTest {

  private static LogEntry e(long index, long term) {
    return LogEntry.command(index, term, cmd("x" + index + "t" + term));
  }

  /** n1, follower at term 2 with a log of terms [1, 1]. */
  private static CoreUnderTest follower() {
    return CoreUnderTest.follower(3, 2, 1, 1);
  }

  /** n1, leader of term 2 with a log [1/1, 2/2 no-op]; its election appends went out with sequences 1 and 2. */
  private static CoreUnderTest leader() {
    return CoreUnderTest.leader(3, Fixtures.plain(), 1, 1);
  }

  // ---------------------------------------------------------------- any message

  /**
   * A term no cluster reaches would overflow the next campaign's {@code term + 1} and stop the
   * node; a vote request or a TimeoutNow carrying one is refused before it touches the term.
   */
  @Test
  void aTermNoClusterReachesIsRefused() {
    CoreUnderTest c = follower();

    assertRefused(c, new RequestVote(N2, N1, Long.MAX_VALUE, 2, 1, false, false));
    assertRefused(c, new TimeoutNow(N2, N1, Long.MAX_VALUE));

    assertFollowerStillReplicates(c);
  }

  /** A snapshot ending at an index no log reaches would corrupt the log's bounds. */
  @Test
  void aSnapshotIndexNoLogReachesIsRefused() {
    CoreUnderTest c = follower();

    assertRefused(c, new InstallSnapshot(N2, N1, 2, Long.MAX_VALUE, 1, Fixtures.cluster(3), 0, Bytes.ofUtf8("s"), true));

    assertFollowerStillReplicates(c);
  }

  // ---------------------------------------------------------------- AppendEntries

  /** Terms never decrease along a log (§5.3, Log Matching), so entries of decreasing terms come from no leader. */
  @Test
  void appendEntriesWithDecreasingEntryTermsIsRefused() {
    CoreUnderTest c = follower();

    assertRefused(c, new AppendEntries(N2, N1, 3, 2, 1, List.of(e(3, 2), e(4, 1)), 0, 1));

    assertFollowerStillReplicates(c);
  }

  /** A leader creates entries only in its own term and holds none of a later one (§5.3). */
  @Test
  void appendEntriesWithAnEntryTermAboveTheMessageTermIsRefused() {
    CoreUnderTest c = follower();

    assertRefused(c, new AppendEntries(N2, N1, 2, 2, 1, List.of(e(3, 3)), 0, 1));

    assertFollowerStillReplicates(c);
  }

  /** Entries follow the entry at prevLogIndex in the leader's log, so none has a term below prevLogTerm (§5.3). */
  @Test
  void appendEntriesWithAnEntryTermBelowPrevLogTermIsRefused() {
    CoreUnderTest c = follower();

    assertRefused(c, new AppendEntries(N2, N1, 3, 2, 2, List.of(e(3, 1)), 0, 1));

    assertFollowerStillReplicates(c);
  }

  /** prevLogTerm is the term of an entry in the leader's log, so at most the leader's term (§5.3). */
  @Test
  void appendEntriesWithPrevLogTermAboveTheMessageTermIsRefused() {
    CoreUnderTest c = follower();

    assertRefused(c, new AppendEntries(N2, N1, 2, 2, 3, List.of(), 0, 1));

    assertFollowerStillReplicates(c);
  }

  /** Only index 0 (before the first entry) has term 0; every entry has a term of at least 1 (§5.3). */
  @Test
  void onlyIndexZeroHasTermZero() {
    CoreUnderTest c = follower();

    assertRefused(c, new AppendEntries(N2, N1, 2, 2, 0, List.of(), 0, 1));
    assertRefused(c, new AppendEntries(N2, N1, 2, 0, 1, List.of(), 0, 1));
    assertRefused(c, new InstallSnapshot(N2, N1, 2, 10, 0, Fixtures.cluster(3), 0, Bytes.ofUtf8("s"), true));
    assertRefused(c, new InstallSnapshot(N2, N1, 2, 0, 1, Fixtures.cluster(3), 0, Bytes.ofUtf8("s"), true));

    assertFollowerStillReplicates(c);
  }

  /**
   * Every leader and candidate has a term of at least 1: a candidate increments its term, from 0
   * on a new node, before it asks for votes (§5.2). A fresh node does not take a sender of term 0
   * for a leader, nor vote for it.
   */
  @Test
  void leaderAndCandidateMessagesOfTermZeroAreRefused() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.store(0, null));

    assertRefused(c, new AppendEntries(N2, N1, 0, 0, 0, List.of(), 0, 1));
    assertRefused(c, new InstallSnapshot(N2, N1, 0, 0, 0, Fixtures.cluster(3), 0, Bytes.ofUtf8("s"), true));
    assertRefused(c, new TimeoutNow(N2, N1, 0));
    assertRefused(c, new RequestVote(N2, N1, 0, 0, 0, false, false));

    c.step(new AppendEntries(N2, N1, 1, 0, 0, List.of(e(1, 1)), 0, 1));
    assertEquals(List.of(e(1, 1)), c.persist().entriesToAppend());
  }

  /** A malformed message of the current term does not make a candidate accept its sender as leader (§5.2). */
  @Test
  void candidateDoesNotStepDownForAMalformedAppend() {
    CoreUnderTest c = follower();
    c.core.campaign();
    c.persist();

    assertRefused(c, new AppendEntries(N2, N1, 3, 2, 1, List.of(e(3, 4)), 0, 1));

    assertEquals(Role.CANDIDATE, c.core.role());
    c.step(new AppendEntries(N2, N1, 3, 2, 1, List.of(e(3, 3)), 0, 1));
    assertEquals(Role.FOLLOWER, c.core.role());
    assertEquals(List.of(e(3, 3)), c.persist().entriesToAppend());
  }

  // ---------------------------------------------------------------- InstallSnapshot

  /** A leader's snapshot holds only entries of its term or earlier (§7). */
  @Test
  void installSnapshotWithLastIncludedTermAboveTheMessageTermIsRefused() {
    CoreUnderTest c = follower();

    assertRefused(c, new InstallSnapshot(N2, N1, 2, 10, 3, Fixtures.cluster(3), 0, Bytes.ofUtf8("s"), true));

    assertFollowerStillReplicates(c);
  }

  // ---------------------------------------------------------------- at the leader

  /** Election Safety (§5.2): at most one leader per term, so no correct peer sends AppendEntries of our term to us. */
  @Test
  void leaderRefusesAppendEntriesOfItsOwnTerm() {
    CoreUnderTest c = leader();

    assertRefused(c, new AppendEntries(N2, N1, 2, 0, 0, List.of(), 0, 1));

    assertLeaderStillCommits(c);
  }

  /** Election Safety (§5.2): only the leader of a term sends InstallSnapshot in it. */
  @Test
  void leaderRefusesInstallSnapshotOfItsOwnTerm() {
    CoreUnderTest c = leader();

    assertRefused(c, new InstallSnapshot(N2, N1, 2, 1, 1, Fixtures.cluster(3), 0, Bytes.ofUtf8("s"), true));

    assertLeaderStillCommits(c);
  }

  /** Election Safety (§5.2): only the leader of a term sends TimeoutNow in it (thesis §3.10). */
  @Test
  void leaderRefusesTimeoutNowOfItsOwnTerm() {
    CoreUnderTest c = leader();

    assertRefused(c, new TimeoutNow(N2, N1, 2));

    assertLeaderStillCommits(c);
  }

  /** A follower acknowledges only entries this leader sent it, so never beyond the leader's last index (§5.3). */
  @Test
  void leaderRefusesAnAcknowledgementBeyondItsLastIndex() {
    CoreUnderTest c = leader();

    assertRefused(c, c.ack(N2, 99, 1));

    assertLeaderStillCommits(c);
  }

  /** A follower echoes the sequence of an AppendEntries it received, so never one the leader has not used yet. */
  @Test
  void leaderRefusesAnAnswerEchoingASequenceNeverSent() {
    CoreUnderTest c = leader();

    assertRefused(c, c.ack(N2, 1, 99));
    assertRefused(c, new AppendEntriesResponse(N2, N1, 2, false, 0, 1, 1, 99));

    assertLeaderStillCommits(c);
  }

  /** A follower acknowledges only a snapshot this leader sent, which holds no index beyond its log (§7). */
  @Test
  void leaderRefusesASnapshotAcknowledgementBeyondItsLastIndex() {
    CoreUnderTest c = leader();

    assertRefused(c, new InstallSnapshotResponse(N2, N1, 2, 99, 1, true));

    assertLeaderStillCommits(c);
  }

  // ---------------------------------------------------------------- helpers

  /** Everything a message could change: the status, the election timer, and on a leader each follower's progress. */
  private record Observed(CoreStatus status, int electionElapsed, List<String> leaderState) {
    static Observed of(RaftCore core) {
      List<String> leaderState = new ArrayList<>();
      if (core.leaderState != null) {
        leaderState.add("nextSequence=" + core.leaderState.nextSequence);
        core.leaderState.progress.forEach((peer, pr) -> leaderState.add(peer + " " + pr.state + " match="
            + pr.matchIndex + " next=" + pr.nextIndex + " probeSent=" + pr.probeSent + " active=" + pr.recentActive
            + " acked=" + pr.ackedSequence + " minReject=" + pr.minRejectSequence));
      }
      return new Observed(core.status(), core.electionElapsed, leaderState);
    }
  }

  /** {@code m} is refused, changes nothing, and leaves nothing to persist or send. */
  private static void assertRefused(CoreUnderTest c, RaftMessage m) {
    Observed before = Observed.of(c.core);

    assertThrows(MalformedMessageException.class, () -> c.core.step(m), () -> "should refuse " + m);

    c.core.checkInvariants();
    assertEquals(before, Observed.of(c.core), () -> "state changed by " + m);
    assertEquals(Ready.EMPTY, c.persist(), () -> "output for " + m);
  }

  /** The follower of {@link #follower()} still takes a valid append of term 2. */
  private static void assertFollowerStillReplicates(CoreUnderTest c) {
    c.step(new AppendEntries(N2, N1, 2, 2, 1, List.of(e(3, 2)), 0, 1));

    assertEquals(new Ready(null, List.of(e(3, 2)), null, true, List.of(),
        List.of(new AppendEntriesResponse(N1, N2, 2, true, 3, 0, 0, 1)), List.of(), List.of(), List.of()),
        c.persist());
  }

  /** The leader of {@link #leader()} still commits its no-op once a follower acknowledges it. */
  private static void assertLeaderStillCommits(CoreUnderTest c) {
    c.step(c.ack(N2, 2, 1));

    assertEquals(2, c.core.commitIndex());
    assertEquals(2, c.core.status().progress().get(N2).matchIndex());
  }
}
