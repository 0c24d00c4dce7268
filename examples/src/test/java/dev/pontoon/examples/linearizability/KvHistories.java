package dev.pontoon.examples.linearizability;

import dev.pontoon.raft.engine.linearizability.CheckResult;
import dev.pontoon.raft.engine.linearizability.HistoryTimeline;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.engine.linearizability.LinearizabilityChecker;
import dev.pontoon.raft.engine.linearizability.Operation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Checks a KV history recorded by a test against {@link KvModel} and draws it: the page goes to
 * {@code target/linearizability/NAME.html} whatever the verdict, so a failing run can be looked at.
 */
public final class KvHistories {
  /** Where the timelines go, under the module's build directory. */
  public static final Path TIMELINES = Path.of("target", "linearizability");

  private KvHistories() {}

  /**
   * Search steps per key before a check answers UNKNOWN. Only a step budget, no wall-clock one: the
   * same history must get the same verdict on a fast laptop and on a loaded 2-core CI machine (a
   * time budget made the latter answer UNKNOWN, failing the test). Every search the checker runs
   * stops after this many steps, so the check still ends: a linearizable history costs at most one
   * search per key, a failing key one more per halving of its history while the shortest failing
   * prefix is looked for.
   */
  public static final long STEP_BUDGET = LinearizabilityChecker.DEFAULT_STEP_BUDGET;

  /** The result of checking {@code history}, timed with {@link System#nanoTime()}, within {@link #STEP_BUDGET}. */
  public static CheckResult<KvModel.Input, String> check(String name, List<Operation<KvModel.Input, String>> history) {
    return check(name, history, TimeUnit.NANOSECONDS);
  }

  /** The result of checking {@code history}, timed in {@code unit} (null: virtual time). */
  public static CheckResult<KvModel.Input, String> check(String name, List<Operation<KvModel.Input, String>> history,
      TimeUnit unit) {
    KvModel model = new KvModel();
    CheckResult<KvModel.Input, String> result = LinearizabilityChecker.of(model)
        .withStepBudget(STEP_BUDGET).check(history);
    try {
      HistoryTimeline.write(timeline(name), name, model, result, unit);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return result;
  }

  /** The page {@link #check} writes for {@code name}. */
  public static Path timeline(String name) {
    return TIMELINES.resolve(name + ".html");
  }

  /** How many operations of {@code history} completed, and how many of those were reads. */
  public static String counts(List<Operation<KvModel.Input, String>> history) {
    long completed = history.stream().filter(Operation::isCompleted).count();
    long reads = history.stream().filter(o -> o.isCompleted() && !o.input().isWrite()).count();
    long unknown = history.stream().filter(Operation::isUnknown).count();
    return history.size() + " operations: " + completed + " completed (" + reads + " reads), " + unknown
        + " of unknown outcome";
  }
}
