package dev.pontoon.raft.engine.linearizability;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The sequential specification of a system, as the {@link LinearizabilityChecker} needs it: a
 * state to start from, and which operations may follow which (Porcupine's model).
 *
 * <p><b>States are values.</b> The checker memoizes on states, so {@code S} must have
 * value-based {@link Object#equals} and {@link Object#hashCode} (a record, a {@code String}, a
 * {@code Long}, an immutable collection), and a step must return a new state rather than change
 * the one it was given. {@code null} is a state like any other.
 *
 * <p><b>Partitions.</b> When operations on different parts of the state never affect each other —
 * keys of a map, say — {@link #partition} names the part an operation touches. Linearizability is
 * local (Herlihy &amp; Wing, 1990, Theorem 1): a history is linearizable iff each partition's
 * sub-history is, each checked from {@link #init()}. Splitting shrinks the search enormously.
 *
 * <p><b>Failure.</b> A model that throws, or whose {@link #step} returns null, has a bug: the check
 * stops with an {@link IllegalStateException} that names the operation, its partition and the
 * state it was given, caused by what the model threw. The same holds for {@link #describeState}
 * and {@link #describeOperation} while the checker explains a failure: the exception names the
 * operation described (or whose state after it was), its partition and the failure explained.
 *
 * <p><b>Threading.</b> A model is called from the thread that runs the check only; it may be
 * shared between checks that run in parallel only if its methods are free of side effects, as
 * they should be.
 *
 * <p>Most specifications are deterministic — one next state and one right output per state and
 * input — and are written most simply with {@link #deterministic}:
 *
 * <pre>{@code
 * // a counter; inputs "add N" and "get"; each answers the total after it
 * Model<Long, String, Long> counter = Model.deterministic(0L, (total, input) -> {
 *   long after = input.equals("get") ? total : total + Long.parseLong(input.substring(4));
 *   return Model.outcome(after, after);
 * });
 * }</pre>
 *
 * @param <S> the state: an immutable value
 * @param <I> an operation's input (what a client asked)
 * @param <O> an operation's output (what it was told)
 * @see LinearizabilityChecker
 * @see KvModel
 */
public interface Model<S, I, O> {

  /** The state before any operation, of the whole system or of each partition. */
  S init();

  /**
   * Whether an operation with {@code input} that answered {@code output} can take effect in
   * {@code state}, and if so the state after it.
   *
   * @param state the state before the operation (not to be changed)
   * @param input what was asked
   * @param output what was answered; may be null when the model's outputs allow it
   * @return {@link Step#to(Object)} the next state, or {@link Step#illegal()}
   */
  Step<S> step(S state, I input, O output);

  /**
   * The state after an operation whose response was never seen takes effect in {@code state}. Its
   * output is unknown, so nothing is checked; the checker also considers that it never took
   * effect at all.
   */
  S stepUnknown(S state, I input);

  /**
   * The partition an operation belongs to: operations of different partitions never affect each
   * other. The default puts every operation in one partition. Keys are compared with
   * {@code equals}.
   */
  default Object partition(I input) {
    return "all";
  }

  /**
   * How a completed operation reads in reports and timelines. An operation without an output
   * (unknown or failed) reads as its input's {@code toString()}, so inputs should print well.
   */
  default String describeOperation(I input, O output) {
    return input + " -> " + output;
  }

  /** How a state reads in reports and timelines. */
  default String describeState(S state) {
    return String.valueOf(state);
  }

  /**
   * One answer of {@link #step}: whether the operation fits, and the state it leaves.
   *
   * @param legal whether the operation can take effect in the state it was given
   * @param next the state after it; meaningless (null) when not legal
   * @param <S> the state
   */
  record Step<S>(boolean legal, S next) {
    private static final Step<?> ILLEGAL = new Step<>(false, null);

    /** The operation fits and leaves {@code next}. */
    public static <S> Step<S> to(S next) {
      return new Step<>(true, next);
    }

    /** The operation cannot take effect in this state with this output. */
    @SuppressWarnings("unchecked")
    public static <S> Step<S> illegal() {
      return (Step<S>) ILLEGAL;
    }
  }

  /**
   * What a deterministic specification does with an input: the state after it, and the one
   * output a correct system answers.
   *
   * @param <S> the state
   * @param <O> the output
   */
  record Outcome<S, O>(S state, O output) {}

  /** An {@link Outcome}: {@code state} after the operation, which answers {@code output}. */
  static <S, O> Outcome<S, O> outcome(S state, O output) {
    return new Outcome<>(state, output);
  }

  /**
   * A model with one right answer per state and input: an operation fits iff its output
   * {@linkplain Objects#equals equals} the one {@code apply} computes. One partition, default
   * descriptions; implement {@link Model} directly for more.
   *
   * @param init the initial state
   * @param apply the sequential specification: the outcome of an input in a state
   */
  static <S, I, O> Model<S, I, O> deterministic(S init, BiFunction<? super S, ? super I, Outcome<S, O>> apply) {
    Objects.requireNonNull(apply, "apply");
    return new Model<>() {
      @Override
      public S init() {
        return init;
      }

      @Override
      public Step<S> step(S state, I input, O output) {
        Outcome<S, O> o = apply.apply(state, input);
        return Objects.equals(o.output(), output) ? Step.to(o.state()) : Step.illegal();
      }

      @Override
      public S stepUnknown(S state, I input) {
        return apply.apply(state, input).state();
      }
    };
  }
}
