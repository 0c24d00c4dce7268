package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.engine.sim.Simulation.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Many seeded runs of whole clusters under loss, duplication, reordering, long delays, malformed
 * messages, partitions, crashes that keep any prefix of the unsynced writes, and clock drift: no
 * run may break a safety property of the paper, no node may stop itself, every history must be
 * linearizable, and every healed cluster must make progress. Most seeds run the production
 * runtime on every node ({@link Mode#RUNTIME}); some run bare cores ({@link Mode#CORE}).
 */
class SimulationTest {
  private static final long EVENTS = 10_000;

  /** Runs {@code count} seeds from {@code first} on two threads; fails with the report of each failing seed. */
  static List<SimulationResult> runSeeds(long first, long count, int nodes, Mode mode) {
    return runSeeds(first, count, nodes, mode, false);
  }

  /** As above; {@code membership} adds spare nodes and random membership changes (runtime only). */
  static List<SimulationResult> runSeeds(long first, long count, int nodes, Mode mode, boolean membership) {
    return runSeeds(first, count, nodes, mode, membership, false);
  }

  /** As above; {@code processFaults} adds crashes inside work and recovery, and process pauses (runtime only). */
  static List<SimulationResult> runSeeds(long first, long count, int nodes, Mode mode, boolean membership,
      boolean processFaults) {
    ForkJoinPool pool = new ForkJoinPool(2);
    try {
      List<SimulationResult> results = pool.submit(() -> LongStream.range(first, first + count).parallel()
          .mapToObj(seed -> processFaults ? Simulation.runWithProcessFaults(seed, nodes, EVENTS, mode, membership)
              : membership ? Simulation.runWithMembershipChanges(seed, nodes, EVENTS, mode)
              : Simulation.run(seed, nodes, EVENTS, mode)).collect(Collectors.toList())).join();
      String failures = results.stream().filter(r -> !r.ok()).limit(3).map(SimulationResult::describe)
          .collect(Collectors.joining("\n"));
      if (!failures.isEmpty()) {
        fail(results.stream().filter(r -> !r.ok()).count() + " of " + count + " seeds broke a property:\n" + failures);
      }
      for (SimulationResult r : results) {
        assertTrue(r.events() >= EVENTS, "seed " + r.seed() + " ran only " + r.events() + " events");
      }
      return results;
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void thousandSeedsOfThreeRuntimeNodesKeepSafetyLinearizabilityAndLiveness() {
    List<SimulationResult> results = runSeeds(1, 1_000, 3, Mode.RUNTIME);
    assertTrue(results.stream().mapToLong(SimulationResult::operations).sum() > 50_000,
        "clients must actually exercise the cluster");
  }

  @Test
  void thousandSeedsOfFiveRuntimeNodesKeepSafetyLinearizabilityAndLiveness() {
    runSeeds(100_001, 1_000, 5, Mode.RUNTIME);
  }

  @Test
  void runtimeSeedsThatChooseTheirClusterSizeKeepEveryProperty() {
    List<SimulationResult> results = runSeeds(200_001, 100, 0, Mode.RUNTIME);
    assertEquals(3, results.stream().mapToInt(SimulationResult::nodes).distinct().count(), "sizes 3, 4 and 5");
  }

  /** The runtime with leaders writing and every node applying on the event loop ({@link Mode#RUNTIME_ON_LOOP}). */
  @Test
  void seedsWithWritesAndAppliesOnTheEventLoopKeepEveryProperty() {
    runSeeds(700_001, 300, 0, Mode.RUNTIME_ON_LOOP);
  }

  /**
   * Membership changes on the runtime (thesis chapter 4): grow, shrink, replace, learners, a
   * leader removing itself, changes interrupted by a crash, mixed with every other fault.
   */
  @Test
  void threeHundredSeedsWithMembershipChangesKeepEveryProperty() {
    List<SimulationResult> results = runSeeds(500_001, 300, 0, Mode.RUNTIME, true);
    long committed = results.stream().mapToLong(SimulationResult::membershipChangesCommitted).sum();
    long seedsWithChanges = results.stream().filter(r -> r.membershipChangesCommitted() > 0).count();
    assertTrue(seedsWithChanges >= 150, "only " + seedsWithChanges + " of 300 seeds committed a membership change");
    assertTrue(committed >= 300, "only " + committed + " membership changes committed in 300 seeds");
  }

  /**
   * A cluster that starts as one voter and grows by membership changes (each new member a learner
   * first): a lone voter wins an election within one step, so what it sends then is sent before
   * its new term is durable unless the runtime holds it back.
   */
  @Test
  void seedsOfALoneVoterGrowingByMembershipChangesKeepEveryProperty() {
    List<SimulationResult> results = runSeeds(800_001, 200, 1, Mode.RUNTIME, true);
    assertTrue(results.stream().mapToLong(SimulationResult::membershipChangesCommitted).sum() >= 100);
  }

  /**
   * Process faults: crashes that fall at a write, sync or snapshot commit inside a task (between
   * two writes the code meant to make together) or inside recovery at a start, and pauses of a
   * whole process while its clock runs on. Before they existed, two ordering bugs of the runtime
   * lived exactly there (see {@link #seedsThatCaughtWritesOrderedWrongInsideOneTaskStillPass}).
   */
  @Test
  void seedsWithCrashesInsideWorkAndRecoveryAndProcessPausesKeepEveryProperty() {
    List<SimulationResult> results = runSeeds(900_001, 300, 0, Mode.RUNTIME, false, true);
    assertProcessFaultsStruck(results, 300, 30, 300);
  }

  /** The same with snapshots every few entries, streamed in tiny pieces: crash points at their commits. */
  @Test
  void seedsWithProcessFaultsAndFrequentSnapshotsKeepEveryProperty() {
    List<SimulationResult> results = runSeeds(910_001, 150, 0, Mode.RUNTIME_SNAPSHOTS, false, true);
    assertProcessFaultsStruck(results, 150, 15, 150);
  }

  /** The same with membership changes, and for a lone voter growing, whose elections take one step. */
  @Test
  void seedsWithProcessFaultsAndMembershipChangesKeepEveryProperty() {
    List<SimulationResult> results = new ArrayList<>(runSeeds(920_001, 150, 0, Mode.RUNTIME, true, true));
    results.addAll(runSeeds(930_001, 150, 1, Mode.RUNTIME, true, true));
    assertProcessFaultsStruck(results, 300, 30, 300);
    assertTrue(results.stream().mapToLong(SimulationResult::membershipChangesCommitted).sum() >= 150);
  }

  /**
   * Seeds that catch, with process faults, two ordering bugs of the runtime that the simulator
   * without them never drew (the same seeds, and 800 or 1,500 more, pass without process faults
   * with the bug in place):
   * <ul>
   *   <li>seed 138 of a lone voter growing, with 283a515 and 952c887 reverted (a lone voter
   *       elected within one Ready sent AppendEntries before its term was durable): Log Matching
   *       broken (4 of seeds 1-800 fail);
   *   <li>seed 930447 of a lone voter growing, with 952c887 alone reverted (the Ready after the
   *       one that changed the term still sent at once): Log Matching broken after the leader won
   *       the same term again (1 of seeds 930001-931500 fails).
   * </ul>
   * The third bug the fault model was added for, f36ee00 (a bootstrap that saved its entry before
   * its vote), needs two of three members to crash inside their bootstrap: the first form of the
   * fault model caught it in seed 125, this one in none of 3,000 seeds; {@code
   * RaftServerBootstrapTest} holds it. Seeds replay only while the runtime's schedule is
   * unchanged; at a later commit they are two more seeds. Since messages are checked as they
   * leave ({@link DurableBeforeSent}), 952c887 reverted is caught without any crash: 10 of seeds
   * 930001-930300 fail without process faults, 13 with them, 3 on bare cores.
   */
  @Test
  void seedsThatCaughtWritesOrderedWrongInsideOneTaskStillPass() {
    for (SimulationResult r : List.of(Simulation.runWithProcessFaults(138, 1, EVENTS, Mode.RUNTIME, true),
        Simulation.runWithProcessFaults(930_447, 1, EVENTS, Mode.RUNTIME, true))) {
      assertTrue(r.ok(), r::describe);
    }
  }

  /**
   * Seeds that caught recovery acting on what an earlier process left unsynced in the machine's
   * cache (98d2712 reverted: no sync before recovery reads the log), through the check that what a
   * message promises is durable when it leaves ({@link DurableBeforeSent}):
   * <ul>
   *   <li>seed 20 of three members: a restarted follower answered in a term it had read from the
   *       cache (16 of seeds 1-100 fail);
   *   <li>seed 1 of a lone voter growing (18 of seeds 1-100 fail).
   * </ul>
   * Without process faults, whose crashes leave writes in the cache, 0 of 300 seeds fail in each
   * case. Seeds replay only while the runtime's schedule is unchanged: since the event loop merges
   * Readys that write nothing while writes are with the sync worker, seed 20 of three members no
   * longer crashes with writes in the cache; the seeds are now 4 of three members and 10 of a lone
   * voter (with the sync reverted, 10 of seeds 1-60 fail with three members, 5 with a lone voter,
   * these two among them).
   */
  @Test
  void seedsThatCaughtRecoveryActingOnUnsyncedWritesStillPass() {
    for (SimulationResult r : List.of(Simulation.runWithProcessFaults(4, 3, EVENTS, Mode.RUNTIME, false),
        Simulation.runWithProcessFaults(10, 1, EVENTS, Mode.RUNTIME, true))) {
      assertTrue(r.ok(), r::describe);
      assertTrue(r.processFaultsSeen().crashesKeepingCache() > 0, "the seed still leaves writes in the cache");
    }
  }

  /** The faults must actually strike: a fault model that silently stopped would pass every seed. */
  private static void assertProcessFaultsStruck(List<SimulationResult> results, int insideWork, int inRecovery,
      int pauses) {
    int inside = results.stream().mapToInt(r -> r.processFaultsSeen().crashesInsideWork()).sum();
    int recovery = results.stream().mapToInt(r -> r.processFaultsSeen().crashesInRecovery()).sum();
    int paused = results.stream().mapToInt(r -> r.processFaultsSeen().pauses()).sum();
    int keptInCache = results.stream().mapToInt(r -> r.processFaultsSeen().crashesKeepingCache()).sum();
    assertTrue(inside >= insideWork, "only " + inside + " crashes fell inside work");
    assertTrue(recovery >= inRecovery, "only " + recovery + " crashes fell inside recovery");
    assertTrue(paused >= pauses, "only " + paused + " pauses");
    assertTrue(keptInCache >= results.size(), "only " + keptInCache + " crashes left unsynced writes in the cache");
  }

  /** The same on bare cores, where fault points also compact logs, so new members often need a snapshot. */
  @Test
  void seedsOfBareCoresWithMembershipChangesKeepEveryProperty() {
    List<SimulationResult> results = runSeeds(600_001, 200, 0, Mode.CORE, true);
    assertTrue(results.stream().mapToLong(SimulationResult::membershipChangesCommitted).sum() >= 200);
  }

  @Test
  void seedsOfBareCoresKeepSafetyLinearizabilityAndLiveness() {
    runSeeds(300_001, 500, 3, Mode.CORE);
    runSeeds(400_001, 500, 5, Mode.CORE);
  }

  /**
   * Seeds whose histories hold a key with 40-odd overlapping operations, several of unknown
   * outcome (crashes, lost answers): the checker ran out of its former 5,000,000 steps on them and
   * answered "unproven", counted as a violation. Both need under 10,000,000 steps (7.5M and 5.3M, 1–3 s each here).
   * Seeds replay only while the runtime's schedule is unchanged; at a later commit they are just two
   * more seeds.
   */
  @Test
  void historiesThatOutgrewTheFormerStepBudgetAreProvenLinearizable() {
    for (long seed : new long[] {4_004_023, 5_200_639}) {
      SimulationResult r = Simulation.run(seed, 0, EVENTS, Mode.RUNTIME);
      assertTrue(r.ok(), r::describe);
    }
  }

  /**
   * Membership runs whose shrunk configuration needs a follower that catches up through a
   * snapshot streamed a byte or two at a time: they commit 200-300 ticks after healing, and
   * failed the liveness check while it allowed only 200 ticks (an "undiagnosed stall" until
   * 2026-12-02, one seed in a few thousand).
   */
  @Test
  void aFollowerCatchingUpThroughATinyPieceSnapshotCommitsWithinTheLivenessWindow() {
    for (long seed : new long[] {6_300_642, 6_303_671}) {
      SimulationResult r = Simulation.runWithMembershipChanges(seed, 3, EVENTS, Mode.RUNTIME);
      assertTrue(r.ok(), r::describe);
    }
  }

  @Test
  void sameSeedReplaysExactly() {
    for (Mode mode : Mode.values()) {
      SimulationResult first = Simulation.run(4242, 5, EVENTS, mode);
      SimulationResult again = Simulation.run(4242, 5, EVENTS, mode);
      assertEquals(first.traceHash(), again.traceHash());
      assertEquals(first.events(), again.events());
      assertEquals(first.trace(), again.trace());
      assertNotEquals(first.traceHash(), Simulation.run(4243, 5, EVENTS, mode).traceHash());
    }
  }

  /**
   * Replays one seed: {@code -Dpontoon.sim.seed=S -Dpontoon.sim.nodes=N -Dpontoon.sim.mode=runtime|core}
   * (runtime by default). Prints its report, so that a failing seed from CI can be studied alone.
   */
  @Test
  void replayOneSeed() {
    long seed = Long.getLong("pontoon.sim.seed", 1L);
    int nodes = Integer.getInteger("pontoon.sim.nodes", 3);
    Mode mode = Mode.valueOf(System.getProperty("pontoon.sim.mode", "runtime").toUpperCase(Locale.ROOT));
    SimulationResult r = Simulation.run(seed, nodes, EVENTS, mode);
    System.out.print(r.describe());
    assertEquals(List.of(), r.violations(), r.describe());
  }

  @Test
  @Tag("soak")
  void hundredThousandRuntimeSeedsKeepEveryProperty() {
    runSeeds(1_000_001, 50_000, 3, Mode.RUNTIME);
    runSeeds(2_000_001, 50_000, 5, Mode.RUNTIME);
  }
}
