package dev.pontoon.raft.engine.linearizability;

import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the {@link LinearizabilityChecker} found in a history: one verdict for the whole, and one
 * per partition, with the evidence of a failure. Immutable.
 *
 * <p>The verdict of the whole is {@link Verdict#NOT_LINEARIZABLE} when any partition has no
 * linearization, else {@link Verdict#UNKNOWN} when any partition ran out of budget, else {@link
 * Verdict#LINEARIZABLE}. Treat {@code UNKNOWN} as a failure to prove, never as a pass.
 *
 * @param verdict the verdict of the whole history
 * @param partitions one result per partition, in the order their first operations appear
 * @param <I> the input type
 * @param <O> the output type
 */
public record CheckResult<I, O>(Verdict verdict, List<Partition<I, O>> partitions) {

  /** The checker's answer. */
  public enum Verdict {
    /** Some order of the operations, each placed inside its own interval, explains every output. */
    LINEARIZABLE,
    /** No such order exists. */
    NOT_LINEARIZABLE,
    /** The search ran out of its step, memory or time budget before it could tell. */
    UNKNOWN
  }

  /**
   * The result for one partition.
   *
   * @param key the partition, as {@link Model#partition} named it
   * @param verdict this partition's answer
   * @param operations the partition's operations, as given (failed ones included)
   * @param steps search steps taken for this partition, the shortest-prefix search and the
   *     explanation included; never more than the checker's step budget
   * @param explanation a readable account: for a failure the prefix, the order found and the
   *     operation that cannot follow it; for {@code UNKNOWN} which budget ran out; else empty
   * @param shortestFailingPrefix for a failure: the operations invoked up to the response of
   *     {@code failedAt}, the shortest such prefix of the partition's history that is already not
   *     linearizable, in history order; operations whose response came later appear as of
   *     unknown outcome. If a budget ran out while it was looked for, a failing prefix that may
   *     not be the shortest, as the explanation says. Empty otherwise.
   * @param failedAt for a failure: the operation whose response ends the shortest failing prefix —
   *     no order of what came before lets it take effect with the output it gave. Null otherwise.
   * @param linearized for a failure: an order found in which every other operation of the prefix
   *     fits, with the state after each; {@code failedAt} cannot follow it. May be empty.
   */
  public record Partition<I, O>(Object key, Verdict verdict, List<Operation<I, O>> operations, long steps,
      String explanation, List<Operation<I, O>> shortestFailingPrefix, Operation<I, O> failedAt,
      List<Linearized<I, O>> linearized) {

    /** @throws NullPointerException if a list, the verdict or the explanation is null */
    public Partition {
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(explanation, "explanation");
      operations = List.copyOf(operations);
      shortestFailingPrefix = List.copyOf(shortestFailingPrefix);
      linearized = List.copyOf(linearized);
    }

    /**
     * The time at which linearization fails: when the response of {@link #failedAt()} arrived.
     * Empty when there is no failure ({@code LINEARIZABLE}, or {@code UNKNOWN}: no operation was
     * found that cannot be placed). Any {@code long} may be a time, -1 and 0 included (see
     * {@link Operation}), so no value of the time itself stands for "none".
     */
    public OptionalLong failedAtTime() {
      return failedAt == null ? OptionalLong.empty() : OptionalLong.of(failedAt.completedAt());
    }
  }

  /**
   * One operation of a partial linearization and the state it leaves.
   *
   * @param operation the operation, as in the history (or as cut by the prefix)
   * @param stateAfter the state after it, as {@link Model#describeState} reads
   */
  public record Linearized<I, O>(Operation<I, O> operation, String stateAfter) {}

  /** @throws NullPointerException if an argument is null */
  public CheckResult {
    Objects.requireNonNull(verdict, "verdict");
    partitions = List.copyOf(partitions);
  }

  /** Whether the history was proven linearizable. */
  public boolean isLinearizable() {
    return verdict == Verdict.LINEARIZABLE;
  }

  /** The partitions not proven linearizable. */
  public List<Partition<I, O>> failures() {
    return partitions.stream().filter(p -> p.verdict() != Verdict.LINEARIZABLE).toList();
  }

  /** A readable report: the verdict, then each partition not proven linearizable with its explanation. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    List<Partition<I, O>> failures = failures();
    sb.append(verdict.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).append(": ")
        .append(partitions.size()).append(partitions.size() == 1 ? " partition" : " partitions");
    if (!failures.isEmpty()) {
      sb.append(", ").append(failures.size()).append(" not proven linearizable");
    }
    sb.append('\n');
    for (Partition<I, O> p : failures) {
      sb.append("partition ").append(p.key()).append(": ").append(p.verdict()).append(" after ").append(p.steps())
          .append(" steps\n").append(p.explanation());
    }
    return sb.toString();
  }
}
