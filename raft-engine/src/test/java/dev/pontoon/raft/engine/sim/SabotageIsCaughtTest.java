package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.engine.linearizability.LinearizabilityChecker;
import dev.pontoon.raft.engine.linearizability.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The simulator must be able to fail: each deliberately broken rule is caught within a small
 * range of seeds, by the checker meant to catch it.
 */
class SabotageIsCaughtTest {

  private static List<Violation> violationsOver(Sabotage sabotage, int seeds) {
    return violationsOver(sabotage, seeds, Simulation.Mode.CORE);
  }

  private static List<Violation> violationsOver(Sabotage sabotage, int seeds, Simulation.Mode mode) {
    return violationsOver(sabotage, 1, seeds, mode);
  }

  private static List<Violation> violationsOver(Sabotage sabotage, long first, int seeds, Simulation.Mode mode) {
    List<Violation> all = new ArrayList<>();
    for (long seed = first; seed < first + seeds; seed++) {
      all.addAll(new Simulation(seed, 0, sabotage, mode).run(10_000).violations());
    }
    return all;
  }

  /** As above, with the durability checks off: which other checker catches the sabotage where it leads. */
  private static List<Violation> violationsWithoutDurabilityChecks(Sabotage sabotage, long first, int seeds,
      Simulation.Mode mode) {
    List<Violation> all = new ArrayList<>();
    for (long seed = first; seed < first + seeds; seed++) {
      all.addAll(new Simulation(seed, 0, sabotage, mode).withoutDurabilityChecks().run(10_000).violations());
    }
    return all;
  }

  private static void assertCaught(List<Violation> found, Predicate<Violation> expected, String what) {
    assertFalse(found.isEmpty(), what + " went unnoticed");
    assertTrue(found.stream().anyMatch(expected), what + " was not reported as expected: " + found);
  }

  @Test
  void forgettingTheTermOnCrashIsCaught() {
    assertCaught(violationsOver(Sabotage.FORGET_HARD_STATE_ON_CRASH, 20),
        v -> v instanceof Violation.TermDecreased, "losing currentTerm and votedFor in a crash");
  }

  @Test
  void forgettingTheTermOnCrashIsCaughtInTheRuntime() {
    assertCaught(violationsOver(Sabotage.FORGET_HARD_STATE_ON_CRASH, 20, Simulation.Mode.RUNTIME),
        v -> v instanceof Violation.TermDecreased, "losing currentTerm and votedFor in a crash of a runtime node");
  }

  @Test
  void aDiskThatLiesAboutSyncBreaksSafetyOrLinearizabilityInTheRuntime() {
    assertCaught(violationsWithoutDurabilityChecks(Sabotage.LYING_SYNC, 1, 60, Simulation.Mode.RUNTIME),
        v -> v instanceof Violation.TermDecreased || v instanceof Violation.MissingCommittedEntry
            || v instanceof Violation.CommittedEntryChanged || v instanceof Violation.NotLinearizable,
        "a sync that makes nothing durable");
  }

  /** Checked as each message leaves, a lying sync shows in the first message it backs. */
  @Test
  void aDiskThatLiesAboutSyncIsCaughtByTheFirstMessageItBacks() {
    assertCaught(violationsOver(Sabotage.LYING_SYNC, 3, Simulation.Mode.RUNTIME),
        v -> v instanceof Violation.SentBeforeDurable, "a sync that makes nothing durable");
  }

  @Test
  void localReadsWithoutReadIndexAreCaughtInTheRuntime() {
    assertCaught(violationsOver(Sabotage.LOCAL_READS, 60, Simulation.Mode.RUNTIME),
        v -> v instanceof Violation.NotLinearizable, "reads served from a runtime node's local state");
  }

  /**
   * Through a committed entry lost, about one seed in 60 catches this sabotage: a restarted voter
   * refuses votes for a minimum election timeout, so a node that lost the entries it acknowledged
   * rarely helps elect a leader without them. The test runs a range known to hold two (752 and
   * 753). If the simulator's draws change, find such a range again (any seed that reports a
   * violation).
   */
  @Test
  void acknowledgingBeforeSyncLosesACommittedEntry() {
    assertCaught(violationsWithoutDurabilityChecks(Sabotage.ACK_BEFORE_SYNC, 740, 50, Simulation.Mode.CORE),
        v -> v instanceof Violation.MissingCommittedEntry || v instanceof Violation.CommittedEntryChanged
            || v instanceof Violation.DivergentApply || v instanceof Violation.NotLinearizable,
        "acks sent before the entries were durable");
  }

  /** Checked as each message leaves, the first acknowledgement sent before its sync is caught. */
  @Test
  void acknowledgingBeforeSyncIsCaught() {
    assertCaught(violationsOver(Sabotage.ACK_BEFORE_SYNC, 3),
        v -> v instanceof Violation.SentBeforeDurable, "acks sent before the entries were durable");
  }

  /**
   * NotLeaderException promises that nothing was appended, so the client resends the same
   * operation: a leader that appended it first makes it take effect twice, at two log indexes.
   */
  @Test
  void aWriteAnsweredNotLeaderAfterItWasAppendedIsCaughtAppliedTwiceInTheRuntime() {
    assertCaught(violationsOver(Sabotage.NOT_LEADER_AFTER_APPEND, 3, Simulation.Mode.RUNTIME),
        v -> v instanceof Violation.AppliedTwice, "NotLeaderException answered for an appended write");
  }

  @Test
  void aWriteAnsweredNotLeaderAfterItWasAppendedIsCaughtAppliedTwice() {
    assertCaught(violationsOver(Sabotage.NOT_LEADER_AFTER_APPEND, 3),
        v -> v instanceof Violation.AppliedTwice, "NotLeaderException answered for an appended write");
  }

  /**
   * A future nothing completes is hidden by the client's timeout while the run goes on; closing
   * each node must fail every request it holds, so the check at the close finds it.
   */
  @Test
  void aFutureThatNeverCompletesIsCaughtWhenItsNodeIsClosed() {
    assertCaught(violationsOver(Sabotage.DROPPED_FUTURE, 3, Simulation.Mode.RUNTIME),
        v -> v instanceof Violation.FutureNeverCompleted, "a submit future nothing completes");
  }

  @Test
  void localReadsWithoutReadIndexAreCaught() {
    assertCaught(violationsOver(Sabotage.LOCAL_READS, 60),
        v -> v instanceof Violation.NotLinearizable, "reads served from local state");
  }

  @Test
  void corruptedReadInARealHistoryIsCaught() {
    Simulation sim = new Simulation(77, 3, Sabotage.NONE, Simulation.Mode.CORE);
    assertTrue(sim.run(10_000).ok());
    @SuppressWarnings("unchecked")
    List<Operation<KvModel.Input, String>> history =
        new ArrayList<>((List<Operation<KvModel.Input, String>>) sim.checkedHistory());
    int victim = history.size() / 2;
    while (!(history.get(victim).input() instanceof KvModel.Get && history.get(victim).isCompleted())) {
      victim++;
    }
    Operation<KvModel.Input, String> o = history.get(victim);
    history.set(victim, Operation.completed(o.id(), o.client(), o.input(), "stale", o.invokedAt(), o.completedAt()));
    List<Violation> found = Simulation.linearizabilityViolations(LinearizabilityChecker.check(new KvModel(), history));
    assertTrue(found.size() == 1 && found.get(0) instanceof Violation.NotLinearizable, found.toString());
  }
}
