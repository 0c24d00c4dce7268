package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each safety checker accepts what Raft allows and reports, typed, what it forbids. */
class SafetyInvariantsTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  private static LogEntry entry(long index, long term, String payload) {
    return LogEntry.command(index, term, Bytes.ofUtf8(payload));
  }

  private static InMemoryLogStore log(LogEntry... entries) {
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(List.of(entries));
    return store;
  }

  /**
   * A lone voter's entry no one could have seen — written, neither sent nor synced — is forgotten
   * when a crash loses it: the node may win that term again and write another entry there.
   */
  @Test
  void logMatchingForgetsAnEntryLostUnseenByACrash() {
    LogMatching check = new LogMatching();
    assertEquals(List.of(), check.written(N1, List.of(entry(1, 1, "x")), 0));
    check.crashed(N1, new InMemoryLogStore(), false);
    assertEquals(List.of(), check.written(N1, List.of(entry(1, 1, "y")), 0));
  }

  /**
   * A leader sends its AppendEntries before its own write (thesis §10.2.1): an entry sent first and
   * written after is never forgotten, whatever the crash loses (found by a review: the first form of
   * the exception above missed it, and with it the bug of 952c887 in seed 931487).
   */
  @Test
  void logMatchingNeverForgetsAnEntrySentBeforeItsLeaderWroteIt() {
    LogMatching check = new LogMatching();
    check.sent(List.of(entry(1, 1, "x")));
    assertEquals(List.of(), check.written(N1, List.of(entry(1, 1, "x")), 0));
    assertEquals(List.of(), check.written(N2, List.of(entry(1, 1, "x")), 0));
    check.crashed(N1, new InMemoryLogStore(), false);
    assertInstanceOf(Violation.LogMismatch.class, check.written(N1, List.of(entry(1, 1, "y")), 0).get(0));
  }

  /**
   * A crash of the process alone may keep an entry in the machine's cache, unsynced: the next
   * process reads it, and a crash of the machine may still lose it before anyone saw it.
   */
  @Test
  void logMatchingForgetsAnEntryAProcessCrashKeptUnsyncedAndALaterCrashLost() {
    LogMatching check = new LogMatching();
    check.written(N1, List.of(entry(1, 1, "x")), 0);
    check.crashed(N1, log(entry(1, 1, "x")), true);
    check.crashed(N1, new InMemoryLogStore(), false);
    assertEquals(List.of(), check.written(N1, List.of(entry(1, 1, "y")), 0));
  }

  /** An entry a crash kept durable stays recorded, even if no one saw it. */
  @Test
  void logMatchingNeverForgetsAnEntryACrashKeptDurable() {
    LogMatching check = new LogMatching();
    check.written(N1, List.of(entry(1, 1, "x")), 0);
    check.crashed(N1, log(entry(1, 1, "x")), false);
    check.crashed(N1, new InMemoryLogStore(), false);
    assertInstanceOf(Violation.LogMismatch.class, check.written(N1, List.of(entry(1, 1, "y")), 0).get(0));
  }

  /** An entry its writer synced stays recorded through any later crash. */
  @Test
  void logMatchingNeverForgetsASyncedEntry() {
    LogMatching check = new LogMatching();
    check.written(N1, List.of(entry(1, 1, "x")), 0);
    check.synced(N1);
    check.crashed(N1, new InMemoryLogStore(), false);
    assertInstanceOf(Violation.LogMismatch.class, check.written(N1, List.of(entry(1, 1, "y")), 0).get(0));
  }

  @Test
  void electionSafetyAllowsOneLeaderPerTermAndSuccessiveLeaders() {
    ElectionSafety check = new ElectionSafety();
    assertEquals(List.of(), check.observe(N1, Role.LEADER, 1));
    assertEquals(List.of(), check.observe(N1, Role.LEADER, 1));
    assertEquals(List.of(), check.observe(N2, Role.CANDIDATE, 1));
    assertEquals(List.of(), check.observe(N2, Role.LEADER, 2));
  }

  @Test
  void electionSafetyReportsTwoLeadersInOneTerm() {
    ElectionSafety check = new ElectionSafety();
    check.observe(N1, Role.LEADER, 3);
    assertEquals(List.of(new Violation.TwoLeaders(3, N1, N2)), check.observe(N2, Role.LEADER, 3));
  }

  @Test
  void syncedTermMayNotDecreaseEvenAcrossACrashButCommitRestartsFromZero() {
    MonotonicTermAndCommit check = new MonotonicTermAndCommit();
    check.observe(N1, 5, 10);
    check.synced(N1, 5);
    check.crashed(N1);
    assertEquals(List.of(), check.observe(N1, 5, 0));
    assertEquals(List.of(new Violation.TermDecreased(N1, 5, 4)), check.observe(N1, 4, 0));
  }

  @Test
  void termNeverSyncedMayBeLostInACrash() {
    MonotonicTermAndCommit check = new MonotonicTermAndCommit();
    check.observe(N1, 3, 0);
    check.synced(N1, 2);
    check.crashed(N1);
    assertEquals(List.of(), check.observe(N1, 2, 0));
  }

  @Test
  void termMayNotDecreaseWhileANodeRuns() {
    MonotonicTermAndCommit check = new MonotonicTermAndCommit();
    check.observe(N1, 3, 0);
    assertEquals(List.of(new Violation.TermDecreased(N1, 3, 2)), check.observe(N1, 2, 0));
  }

  @Test
  void commitIndexMayNotDecreaseWhileANodeRuns() {
    MonotonicTermAndCommit check = new MonotonicTermAndCommit();
    check.observe(N1, 2, 7);
    assertEquals(List.of(new Violation.CommitDecreased(N1, 7, 6)), check.observe(N1, 2, 6));
  }

  @Test
  void logMatchingAcceptsIdenticalCopiesAndTruncatedRewrites() {
    LogMatching check = new LogMatching();
    assertEquals(List.of(), check.written(N1, List.of(entry(1, 1, "a"), entry(2, 1, "b")), 0));
    assertEquals(List.of(), check.written(N2, List.of(entry(1, 1, "a")), 0));
    assertEquals(List.of(), check.written(N2, List.of(entry(2, 2, "c")), 1));
  }

  @Test
  void logMatchingReportsTwoEntriesWithTheSameIndexAndTerm() {
    LogMatching check = new LogMatching();
    check.written(N1, List.of(entry(1, 1, "a")), 0);
    Violation v = check.written(N2, List.of(entry(1, 1, "x")), 0).get(0);
    assertEquals(1, assertInstanceOf(Violation.LogMismatch.class, v).index());
  }

  @Test
  void logMatchingReportsEqualEntriesAfterDifferentPredecessors() {
    LogMatching check = new LogMatching();
    check.written(N1, List.of(entry(1, 1, "a"), entry(2, 3, "b")), 0);
    Violation v = check.written(N2, List.of(entry(2, 3, "b")), 2).get(0);
    assertEquals(2, assertInstanceOf(Violation.LogMismatch.class, v).index());
  }

  @Test
  void stateMachineSafetyAcceptsTheSameEntriesAppliedAgainAfterARestart() {
    StateMachineSafety check = new StateMachineSafety();
    assertEquals(List.of(), check.applied(N1, entry(1, 1, "a")));
    assertEquals(List.of(), check.applied(N2, entry(1, 1, "a")));
    check.restarted(N1);
    assertEquals(List.of(), check.applied(N1, entry(1, 1, "a")));
  }

  @Test
  void stateMachineSafetyReportsADifferentEntryAppliedAtAnIndex() {
    StateMachineSafety check = new StateMachineSafety();
    check.applied(N1, entry(1, 1, "a"));
    Violation v = check.applied(N2, entry(1, 2, "b")).get(0);
    assertEquals(N1, assertInstanceOf(Violation.DivergentApply.class, v).firstNode());
  }

  @Test
  void stateMachineSafetyReportsAGapInApplyOrder() {
    StateMachineSafety check = new StateMachineSafety();
    check.applied(N1, entry(1, 1, "a"));
    assertEquals(List.of(new Violation.OutOfOrderApply(N1, 2, 3)), check.applied(N1, entry(3, 1, "c")));
  }

  @Test
  void leaderCompletenessAcceptsALaterLeaderHoldingEveryCommittedEntry() {
    LeaderCompleteness check = new LeaderCompleteness();
    check.commitAdvanced(N1, 1, 0, 2, log(entry(1, 1, "a"), entry(2, 1, "b")));
    assertEquals(List.of(), check.becameLeader(N2, 2, log(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 2, "c"))));
  }

  @Test
  void leaderCompletenessReportsALaterLeaderMissingACommittedEntry() {
    LeaderCompleteness check = new LeaderCompleteness();
    check.commitAdvanced(N1, 1, 0, 2, log(entry(1, 1, "a"), entry(2, 1, "b")));
    assertEquals(List.of(new Violation.MissingCommittedEntry(N2, 2, 2, 1, 0)),
        check.becameLeader(N2, 2, log(entry(1, 1, "a"))));
  }

  @Test
  void leaderCompletenessDoesNotBindAStaleLeaderOfAnEarlierTerm() {
    LeaderCompleteness check = new LeaderCompleteness();
    check.commitAdvanced(N1, 4, 0, 1, log(entry(1, 4, "a")));
    assertEquals(List.of(), check.becameLeader(N2, 3, log()));
  }

  @Test
  void leaderCompletenessChecksACompactedLeaderFromItsSnapshotOn() {
    LeaderCompleteness check = new LeaderCompleteness();
    check.commitAdvanced(N1, 1, 0, 3, log(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 1, "c")));
    InMemoryLogStore compacted = log(entry(1, 1, "a"), entry(2, 1, "b"), entry(3, 1, "c"));
    compacted.truncatePrefix(2, 1);
    assertEquals(List.of(), check.becameLeader(N2, 2, compacted));
    compacted.truncateSuffix(3);
    assertEquals(List.of(new Violation.MissingCommittedEntry(N2, 3, 3, 1, 0)), check.becameLeader(N2, 3, compacted));
  }

  @Test
  void aCommittedEntryMayNeverChange() {
    LeaderCompleteness check = new LeaderCompleteness();
    check.commitAdvanced(N1, 1, 0, 1, log(entry(1, 1, "a")));
    assertEquals(List.of(new Violation.CommittedEntryChanged(N2, 1, 1, 2)),
        check.commitAdvanced(N2, 2, 0, 1, log(entry(1, 2, "b"))));
  }
}
