package dev.pontoon.raft.engine.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.CheckResult.Partition;
import dev.pontoon.raft.engine.linearizability.CheckResult.Verdict;
import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Input;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The checker's budgets: a search that runs out of steps, time or memory answers unknown and
 * never passes; a partition's step budget is one budget for every search of that partition; a
 * failure already proven stays a failure when the budget runs out while it is being explained.
 */
class CheckerBudgetsTest {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final List<Operation<Input, String>> history = new ArrayList<>();

  @Test
  void searchThatRunsOutOfStepsAnswersUnknownNeverLinearizable() {
    history.addAll(LinearizabilityCheckerTest.generate(3, 400, 1, 6, 5));
    CheckResult<Input, String> r = LinearizabilityChecker.of(new KvModel()).withStepBudget(10).check(history);
    assertEquals(Verdict.UNKNOWN, r.verdict());
    assertTrue(r.failures().get(0).explanation().contains("step budget (10) ran out"), r.describe());
    assertTrue(r.failures().get(0).steps() >= 10, "the steps it spent are reported: " + r.describe());
    assertEquals(Verdict.LINEARIZABLE, LinearizabilityChecker.check(new KvModel(), history).verdict());
  }

  @Test
  void searchThatRunsOutOfTimeAnswersUnknownForEveryPartitionLeft() {
    history.addAll(LinearizabilityCheckerTest.generate(5, 4_000, 2, 8, 5));
    CheckResult<Input, String> r = LinearizabilityChecker.of(new KvModel()).withTimeBudget(Duration.ofNanos(1))
        .check(history);
    assertEquals(Verdict.UNKNOWN, r.verdict(), r.describe());
    assertEquals(2, r.failures().size());
    assertTrue(r.failures().get(1).explanation().contains("before this partition was checked"), r.describe());
  }

  @Test
  void budgetsMustBePositive() {
    LinearizabilityChecker<String, Input, String> checker = LinearizabilityChecker.of(new KvModel());
    assertEquals("step budget (0) must be positive",
        assertThrows(IllegalArgumentException.class, () -> checker.withStepBudget(0)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> checker.withTimeBudget(Duration.ZERO));
    assertEquals("memory budget (-1) must be positive",
        assertThrows(IllegalArgumentException.class, () -> checker.withMemoryBudget(-1)).getMessage());
  }

  /**
   * A failing partition is searched once to prove the failure (42,838 steps here), then once per
   * halving of its responses for the shortest failing prefix, then once more to explain it: all of
   * these draw on the one budget of the partition.
   */
  @Test
  void everySearchOfAPartitionDrawsOnItsOneStepBudget() {
    longHistoryEndingInAReadOfAValueNeverWritten();
    Partition<Input, String> p = LinearizabilityChecker.of(new KvModel()).withStepBudget(60_000).check(history)
        .failures().get(0);
    assertTrue(p.steps() <= 60_000, "steps spent on the partition: " + p.steps());
  }

  @Test
  void aFailureProvenWithinTheBudgetStaysAFailureWhenTheBudgetRunsOutExplainingIt() {
    longHistoryEndingInAReadOfAValueNeverWritten();
    CheckResult<Input, String> r = LinearizabilityChecker.of(new KvModel()).withStepBudget(60_000).check(history);
    assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict(), r.describe());
    Partition<Input, String> p = r.failures().get(0);
    assertNotNull(p.failedAt());
    assertTrue(p.explanation().contains("the step budget (60000) ran out before a shorter one was ruled out"),
        p.explanation());
  }

  /**
   * A search remembers every configuration it explored. It used to remember each with a copy of
   * the whole set of placed operations, so that 10,000 operations before the hard part made every
   * configuration 1.3 KB (a 1 GB heap ran out of memory on this history with the default budgets);
   * it now remembers only the operations past the first one not placed.
   */
  @Test
  void theMemoryOfASearchDoesNotGrowWithTheHistoryBeforeItsHardPart() {
    writesThenConcurrentWritesAndAReadOfAValueNeverWritten(10_000, 30);
    long before = allocatedBytes();
    CheckResult<Input, String> r = LinearizabilityChecker.of(new KvModel()).withStepBudget(2_000_000).check(history);
    long allocated = allocatedBytes() - before;
    assertEquals(Verdict.UNKNOWN, r.verdict(), r.describe());
    assertTrue(allocated < 256L << 20, "allocated " + (allocated >> 20) + " MiB for 2,000,000 steps");
  }

  /** 30 concurrent writes and a read none of them explains: 2^30 orders to rule out, each remembered. */
  @Test
  void aSearchThatReachesItsMemoryBudgetAnswersUnknownNamingIt() {
    writesThenConcurrentWritesAndAReadOfAValueNeverWritten(10_000, 30);
    long before = allocatedBytes();
    CheckResult<Input, String> r = LinearizabilityChecker.of(new KvModel()).withMemoryBudget(16 << 20)
        .check(history);
    long allocated = allocatedBytes() - before;
    assertEquals(Verdict.UNKNOWN, r.verdict(), r.describe());
    assertTrue(r.failures().get(0).explanation().contains(
        "the memory budget (16 MiB of remembered configurations) ran out; the partition is unproven"), r.describe());
    assertTrue(r.failures().get(0).steps() < LinearizabilityChecker.DEFAULT_STEP_BUDGET, r.describe());
    assertTrue(allocated < 256L << 20, "allocated " + (allocated >> 20) + " MiB in all");
  }

  private void writesThenConcurrentWritesAndAReadOfAValueNeverWritten(int sequential, int concurrent) {
    long t = 0;
    for (int i = 0; i < sequential; i++, t += 2) {
      history.add(Operation.completed(i, 0, new Put("x", "1"), "OK", t, t + 1));
    }
    for (int j = 0; j < concurrent; j++) {
      history.add(Operation.completed(sequential + j, 1 + j, new Put("x", "v" + j), "OK", t, t + 100));
    }
    history.add(Operation.completed(sequential + concurrent, 0, new Get("x"), "never-written", t, t + 100));
  }

  private static long allocatedBytes() {
    return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  private void longHistoryEndingInAReadOfAValueNeverWritten() {
    history.addAll(LinearizabilityCheckerTest.generate(11, 1_000, 1, 4, 0));
    long end = history.stream().mapToLong(Operation::completedAt).max().getAsLong();
    history.add(Operation.completed(1_000, 0, new Get("k0"), "never-written", end + 1, end + 2));
  }
}
