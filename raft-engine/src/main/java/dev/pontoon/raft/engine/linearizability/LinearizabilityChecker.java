package dev.pontoon.raft.engine.linearizability;

import dev.pontoon.raft.engine.linearizability.CheckResult.Linearized;
import dev.pontoon.raft.engine.linearizability.CheckResult.Partition;
import dev.pontoon.raft.engine.linearizability.CheckResult.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a history is linearizable with respect to a {@link Model}: whether every
 * operation can be given one instant between its invocation and its response such that, taken in
 * the order of those instants, the operations give the outputs the model's sequential
 * specification gives (Herlihy &amp; Wing, 1990).
 *
 * <p><b>Operations.</b> A {@linkplain Operation.Status#COMPLETED completed} operation must take
 * effect inside its interval with the output it gave. One of {@linkplain Operation.Status#UNKNOWN
 * unknown} outcome may take effect at any instant after its invocation, or never; its output is not
 * checked. A {@linkplain Operation.Status#FAILED failed} one is ignored. Two operations are ordered
 * only when one's completion is strictly before the other's invocation.
 *
 * <p><b>Method.</b> The history is split by {@link Model#partition} and each partition is searched
 * on its own with the Wing &amp; Gong algorithm as improved by Lowe, memoizing every (set of
 * linearized operations, state) pair, as Porcupine does. For a partition that is not
 * linearizable, the checker then finds the shortest prefix of its history that already is not
 * (a binary search over the responses: linearizability is prefix-closed, operations cut by the
 * prefix counting as of unknown outcome), and explains it: the operation whose response ends the
 * prefix, and an order in which everything before it fits.
 *
 * <p><b>Budgets.</b> The search is exponential in the worst case. A step budget (per partition,
 * {@value #DEFAULT_STEP_BUDGET} by default, deterministic) and an optional time budget (for the
 * whole check) bound it; a partition whose search runs out is answered {@link Verdict#UNKNOWN},
 * never passed. The step budget is one for all the searches of a partition — the search, the
 * search for its shortest failing prefix and the one for its explanation — so a partition never
 * takes more steps than it. A failure proven before the budget ran out is reported as one: its
 * explanation then says that the prefix may not be the shortest, or that no order is shown.
 *
 * <p><b>Memory.</b> A search remembers the configurations it has explored, about 100 bytes each
 * (more when many operations overlap the first one not yet placed, or operations of unknown
 * outcome were used), plus the model's states they hold; a hard search remembers one every 20
 * steps or so. A memory budget ({@linkplain #DEFAULT_MEMORY_BUDGET 256 MiB} by default, estimated
 * as entries are added) bounds what one search remembers: a search that reaches it
 * answers {@link Verdict#UNKNOWN} too. Searches run one at a time and each one's memory is freed
 * when it ends, so a check needs that budget plus the model's states and a few arrays the size of
 * the history: with the defaults, 10,000 operations followed by 30 concurrent writes and a read
 * none explains were searched for the whole step budget in a 1 GB heap (18.5 s; about 250 MiB
 * remembered).
 *
 * <p><b>Threading.</b> Instances are immutable and may be shared; a check runs on the calling
 * thread, which it blocks until done.
 *
 * <pre>{@code
 * CheckResult<KvModel.Input, String> result = LinearizabilityChecker.of(new KvModel())
 *     .withTimeBudget(Duration.ofSeconds(30))
 *     .check(history.operations());
 * assertTrue(result.isLinearizable(), result::describe);
 * }</pre>
 *
 * @param <S> the model's state
 * @param <I> the input type
 * @param <O> the output type
 * @see History
 * @see HistoryTimeline
 */
public final class LinearizabilityChecker<S, I, O> {

  /**
   * Search steps per partition before a check answers {@link Verdict#UNKNOWN}, unless set
   * otherwise. A search runs 2 to 4 million steps a second on one core (measured on a 2-core
   * machine), so a partition that uses the whole budget takes 15 to 20 seconds. A key with 40-odd
   * overlapping operations, several of unknown outcome (crashes, lost answers), took 7,500,000
   * and 5,300,000 steps (simulator seeds 4004023 and 5200639), 1 to 2 seconds; most partitions
   * need a small fraction.
   */
  public static final long DEFAULT_STEP_BUDGET = 50_000_000;

  /**
   * The estimated heap, in bytes, that the configurations one search remembers may take before
   * the check answers {@link Verdict#UNKNOWN}, unless set otherwise: 256 MiB. The estimate counts
   * the memo's own objects (compressed references), not the model's states; measured, it came
   * within 10% of the heap they retained. A search that runs the whole default step budget
   * remembers about 250 MiB when operations overlap little; it reaches this budget first when
   * they overlap much or many are of unknown outcome.
   */
  public static final long DEFAULT_MEMORY_BUDGET = 256L << 20;

  private final Model<S, I, O> model;
  private final long stepBudget;
  private final long memoryBudget;
  private final Duration timeBudget;

  private LinearizabilityChecker(Model<S, I, O> model, long stepBudget, long memoryBudget, Duration timeBudget) {
    this.model = Objects.requireNonNull(model, "model");
    this.stepBudget = stepBudget;
    this.memoryBudget = memoryBudget;
    this.timeBudget = timeBudget;
  }

  /** A checker for {@code model} with the default step and memory budgets and no time budget. */
  public static <S, I, O> LinearizabilityChecker<S, I, O> of(Model<S, I, O> model) {
    return new LinearizabilityChecker<>(model, DEFAULT_STEP_BUDGET, DEFAULT_MEMORY_BUDGET, null);
  }

  /** Checks {@code history} against {@code model} with the default budget; see {@link #check(List)}. */
  public static <S, I, O> CheckResult<I, O> check(Model<S, I, O> model, List<Operation<I, O>> history) {
    return of(model).check(history);
  }

  /**
   * A copy that gives up on a partition after {@code steps} search steps, all its searches
   * together.
   *
   * @throws IllegalArgumentException if {@code steps} is not positive
   */
  public LinearizabilityChecker<S, I, O> withStepBudget(long steps) {
    if (steps <= 0) {
      throw new IllegalArgumentException("step budget (" + steps + ") must be positive");
    }
    return new LinearizabilityChecker<>(model, steps, memoryBudget, timeBudget);
  }

  /**
   * A copy whose searches give up, answering {@link Verdict#UNKNOWN}, once the configurations a
   * search remembers would take more than about {@code bytes} of heap (estimated as they are
   * added, not counting the model's states; see {@link #DEFAULT_MEMORY_BUDGET}). Deterministic,
   * like the step budget.
   *
   * @throws IllegalArgumentException if {@code bytes} is not positive
   */
  public LinearizabilityChecker<S, I, O> withMemoryBudget(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("memory budget (" + bytes + ") must be positive");
    }
    return new LinearizabilityChecker<>(model, stepBudget, bytes, timeBudget);
  }

  /**
   * A copy that gives up once the whole check has run for {@code budget} of wall-clock time;
   * partitions not decided by then are {@link Verdict#UNKNOWN}. A timed check is not
   * reproducible from run to run; the step budget is.
   *
   * @throws IllegalArgumentException if {@code budget} is not positive
   */
  public LinearizabilityChecker<S, I, O> withTimeBudget(Duration budget) {
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("time budget (" + budget + ") must be positive");
    }
    return new LinearizabilityChecker<>(model, stepBudget, memoryBudget, budget);
  }

  /**
   * Checks {@code history}.
   *
   * @param history the operations, in any order; ids must be unique. Not modified.
   * @return the verdict, per partition too
   * @throws NullPointerException if {@code history} is or holds null
   * @throws IllegalArgumentException if two operations have one id
   * @throws IllegalStateException if the model threw, or its {@code step} returned null; the message
   *     names the operation, its partition and the state it was given, the cause is what the model
   *     threw. So too if its {@code describeState} or {@code describeOperation} threw while a failure
   *     was explained: the message names the operation described, its partition and the failure
   */
  public CheckResult<I, O> check(List<Operation<I, O>> history) {
    boolean timed = timeBudget != null;
    long deadline = timed ? System.nanoTime() + timeBudget.toNanos() : 0;
    Map<Object, List<Operation<I, O>>> byPartition = new LinkedHashMap<>();
    for (Operation<I, O> op : requireUniqueIds(history)) {
      byPartition.computeIfAbsent(partitionOf(op), k -> new ArrayList<>()).add(op);
    }
    List<Partition<I, O>> results = new ArrayList<>();
    for (Map.Entry<Object, List<Operation<I, O>>> e : byPartition.entrySet()) {
      results.add(new PartitionCheck(e.getKey(), e.getValue(), timed, deadline).run());
    }
    Verdict verdict = Verdict.LINEARIZABLE;
    for (Partition<I, O> p : results) {
      if (p.verdict() == Verdict.NOT_LINEARIZABLE) {
        verdict = Verdict.NOT_LINEARIZABLE;
      } else if (p.verdict() == Verdict.UNKNOWN && verdict == Verdict.LINEARIZABLE) {
        verdict = Verdict.UNKNOWN;
      }
    }
    return new CheckResult<>(verdict, results);
  }

  /**
   * {@code history}, once every element is known to be an operation with an id of its own: an
   * explanation names operations by id, and the search tells them apart by it.
   */
  private static <I, O> List<Operation<I, O>> requireUniqueIds(List<Operation<I, O>> history) {
    Objects.requireNonNull(history, "history");
    Map<Long, Integer> positions = new HashMap<>();
    int i = 0;
    for (Operation<I, O> op : history) {
      if (op == null) {
        throw new NullPointerException("the history holds null at position " + i);
      }
      Integer earlier = positions.putIfAbsent(op.id(), i);
      if (earlier != null) {
        throw new IllegalArgumentException("operation ids must be unique: #" + op.id() + " is given twice, at"
            + " positions " + earlier + " and " + i + " of the history");
      }
      i++;
    }
    return history;
  }

  private Object partitionOf(Operation<I, O> op) {
    try {
      return model.partition(op.input());
    } catch (RuntimeException e) {
      throw new IllegalStateException("the model threw on the partition of operation #" + op.id() + ": " + e, e);
    }
  }

  /**
   * The check of one partition, and the search for its shortest failing prefix. Every search of
   * the partition draws on one step budget: {@link #steps} is what they have spent together.
   */
  private final class PartitionCheck {
    private final Object key;
    private final List<Operation<I, O>> all;
    /** The operations the search sees: completed and unknown ones, in history order. */
    private final List<Operation<I, O>> checked;
    private final boolean timed;
    private final long deadline;
    private long steps;

    PartitionCheck(Object key, List<Operation<I, O>> all, boolean timed, long deadline) {
      this.key = key;
      this.all = all;
      this.checked = all.stream().filter(o -> o.status() != Operation.Status.FAILED).toList();
      this.timed = timed;
      this.deadline = deadline;
    }

    Partition<I, O> run() {
      if (timed && System.nanoTime() - deadline > 0) {
        return unknown("the time budget ran out before this partition was checked\n");
      }
      Search<S, I, O> whole = search(checked, null);
      Search.End end = whole.run();
      steps += whole.steps();
      if (end == Search.End.LINEARIZABLE) {
        return new Partition<>(key, Verdict.LINEARIZABLE, all, steps, "", List.of(), null, List.of());
      }
      if (end != Search.End.NOT_LINEARIZABLE) {
        return unknown(exhausted(end));
      }
      return explainFailure();
    }

    /** A search over {@code operations} with the steps the partition has left. */
    private Search<S, I, O> search(List<Operation<I, O>> operations, Operation<I, O> explain) {
      return new Search<>(model, key, operations,
          new Search.Limits(stepBudget - steps, memoryBudget, timed, deadline), explain);
    }

    private Partition<I, O> unknown(String why) {
      return new Partition<>(key, Verdict.UNKNOWN, all, steps, why, List.of(), null, List.of());
    }

    private String exhausted(Search.End end) {
      return budget(end) + " ran out; the partition is unproven\n";
    }

    /** The budget that ended a search that ended {@code end}. */
    private String budget(Search.End end) {
      return switch (end) {
        case OUT_OF_TIME -> "the time budget";
        case OUT_OF_MEMORY -> "the memory budget (" + (memoryBudget % (1 << 20) == 0 ? (memoryBudget >> 20) + " MiB"
            : memoryBudget + " bytes") + " of remembered configurations)";
        default -> "the step budget (" + stepBudget + ")";
      };
    }

    /**
     * Binary search for the shortest prefix, ending at a response, that is not linearizable: the
     * whole partition is not, and a prefix that is not stays so when it grows. The failure is
     * proven already, so a budget that runs out here cuts the report short, never the verdict.
     */
    private Partition<I, O> explainFailure() {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < checked.size(); i++) {
        if (checked.get(i).isCompleted()) {
          order.add(i);
        }
      }
      order.sort(Comparator.<Integer>comparingLong(i -> checked.get(i).completedAt()).thenComparingInt(i -> i));
      List<Integer> responses = List.copyOf(order);
      int lo = 0;
      int hi = responses.size() - 1; // known to fail: it holds every response of the partition
      String cutShort = ""; // why hi may not be the shortest failing prefix
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        Search.End end = run(prefix(responses.get(mid)));
        if (end == Search.End.NOT_LINEARIZABLE) {
          hi = mid;
        } else if (end == Search.End.LINEARIZABLE) {
          lo = mid + 1;
        } else {
          cutShort = "; " + budget(end) + " ran out before a shorter one was ruled out";
          break;
        }
      }
      Operation<I, O> failedAt = checked.get(responses.get(hi));
      List<Operation<I, O>> prefix = prefix(responses.get(hi));
      Search<S, I, O> explained = search(prefix, failedAt);
      Search.End end = explained.run();
      steps += explained.steps();
      if (end != Search.End.NOT_LINEARIZABLE) {
        // The budget ran out while re-running the prefix: report the prefix without an order.
        String why = "  no order shown: " + budget(end) + " ran out before one was found\n";
        return new Partition<>(key, Verdict.NOT_LINEARIZABLE, all, steps,
            describe(prefix, failedAt, cutShort, List.of(), false, null) + why, prefix, failedAt, List.of());
      }
      List<Linearized<I, O>> placed = new ArrayList<>();
      for (Search.Placed<I, O> p : explained.explanation()) {
        placed.add(new Linearized<>(p.operation(), describeState(p.stateAfter(), "after", p.operation(), failedAt)));
      }
      return new Partition<>(key, Verdict.NOT_LINEARIZABLE, all, steps,
          describe(prefix, failedAt, cutShort, placed, explained.explained(), explained.explanationState()), prefix,
          failedAt, placed);
    }

    private Search.End run(List<Operation<I, O>> operations) {
      Search<S, I, O> s = search(operations, null);
      Search.End end = s.run();
      steps += s.steps();
      return end;
    }

    /**
     * The partition's history up to the response of {@code checked.get(cutPosition)}: operations
     * invoked no later, those answered later cut to unknown outcome. Events at equal times are
     * ordered as the search orders them: invocations first, then responses in history order.
     */
    private List<Operation<I, O>> prefix(int cutPosition) {
      long t = checked.get(cutPosition).completedAt();
      List<Operation<I, O>> out = new ArrayList<>();
      for (int i = 0; i < checked.size(); i++) {
        Operation<I, O> o = checked.get(i);
        if (o.invokedAt() > t) {
          continue;
        }
        boolean answered = o.isCompleted() && (o.completedAt() < t || (o.completedAt() == t && i <= cutPosition));
        out.add(answered || o.isUnknown() ? o : Operation.unknown(o.id(), o.client(), o.input(), o.invokedAt()));
      }
      return out;
    }

    /**
     * What the model says of {@code state}, the state {@code when} ("after" or "before") {@code op},
     * while the failure at {@code failedAt} is explained. A model that throws here has a bug, as
     * one that throws in a step: it is named with the operation and partition, the cause is what
     * it threw.
     */
    @SuppressWarnings("unchecked")
    private String describeState(Object state, String when, Operation<I, O> op, Operation<I, O> failedAt) {
      try {
        return model.describeState((S) state);
      } catch (RuntimeException e) {
        throw new IllegalStateException("the model threw on describeState of the state " + when + " operation #"
            + op.id() + " (partition " + key + "), while explaining the failure of #" + failedAt.id() + ": " + e, e);
      }
    }

    /** What the model says of completed operation {@code o}; a throw is named as in {@link #describeState}. */
    private String describeOperation(Operation<I, O> o, Operation<I, O> failedAt) {
      try {
        return model.describeOperation(o.input(), o.output());
      } catch (RuntimeException e) {
        throw new IllegalStateException("the model threw on describeOperation of operation #" + o.id()
            + " (partition " + key + "), while explaining the failure of #" + failedAt.id() + ": " + e, e);
      }
    }

    private String describeOp(Operation<I, O> o, Map<Long, Operation<I, O>> original, Operation<I, O> failedAt) {
      String end = o.isCompleted() ? Long.toString(o.completedAt()) : "?";
      String what = o.isCompleted() ? describeOperation(o, failedAt)
          : o.input() + (original.get(o.id()).isCompleted() ? " (answered after this point)" : " (unknown outcome)");
      return "#" + o.id() + " c" + o.client() + " [" + o.invokedAt() + "," + end + "] " + what;
    }

    /** @param cutShort empty for the shortest failing prefix, else why a shorter one may exist */
    private String describe(List<Operation<I, O>> prefix, Operation<I, O> failedAt, String cutShort,
        List<Linearized<I, O>> order, boolean explained, Object stateBefore) {
      StringBuilder sb = new StringBuilder();
      sb.append(cutShort.isEmpty() ? "  shortest failing prefix: " : "  failing prefix: ").append(prefix.size())
          .append(" of ").append(all.size()).append(" operations, up to the response of #").append(failedAt.id())
          .append(" at ").append(failedAt.completedAt()).append(cutShort).append('\n');
      List<Operation<I, O>> shown = prefix.size() > 40 ? prefix.subList(prefix.size() - 40, prefix.size()) : prefix;
      if (shown.size() < prefix.size()) {
        sb.append("    (the first ").append(prefix.size() - shown.size()).append(" left out)\n");
      }
      Map<Long, Operation<I, O>> original = new java.util.HashMap<>();
      checked.forEach(o -> original.put(o.id(), o));
      for (Operation<I, O> o : shown) {
        sb.append("    ").append(describeOp(o, original, failedAt))
            .append(o.id() == failedAt.id() ? "   <- cannot be placed" : "")
            .append('\n');
      }
      if (explained) {
        sb.append("  an order in which everything before it fits:");
        List<Linearized<I, O>> tail = order.size() > 20 ? order.subList(order.size() - 20, order.size()) : order;
        if (tail.size() < order.size()) {
          sb.append(" (last 20 of ").append(order.size()).append(')');
        }
        sb.append('\n');
        for (Linearized<I, O> l : tail) {
          sb.append("    #").append(l.operation().id()).append(' ').append(l.operation().isCompleted()
              ? describeOperation(l.operation(), failedAt) : l.operation().input())
              .append("   => ").append(l.stateAfter()).append('\n');
        }
        sb.append("  then #").append(failedAt.id()).append(' ')
            .append(describeOperation(failedAt, failedAt))
            .append(" cannot take effect in state ")
            .append(describeState(stateBefore, "before", failedAt, failedAt))
            .append(", nor anywhere else in its interval\n");
      }
      return sb.toString();
    }
  }
}
