package dev.pontoon.raft.engine.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The search over one partition's operations: the Wing &amp; Gong algorithm as improved by Lowe
 * ("Testing for linearizability", 2017), with memoization, as Porcupine runs it.
 *
 * <p>The invocation and response events of the completed operations sit in a doubly linked list in
 * time order. Walking from the head, an invocation whose operation the model accepts in the
 * current state is "lifted" (its invocation and response leave the list) and the walk restarts at
 * the head; reaching a response means that operation could not be placed before it, so the last
 * lift is undone (backtracking). Every (set of linearized operations, state) pair is memoized, so
 * no configuration is explored twice.
 *
 * <p>Operations of unknown outcome ("pending") have no response, so they never bound the search;
 * they stay outside the list and are tried only after every completed candidate at a point, once
 * invoked before the first response left. Three rules keep them cheap, each sound because a
 * pending operation may also never take effect: (1) the search succeeds once every completed
 * operation is linearized; (2) a pending operation that would leave the state unchanged is not
 * placed, since leaving it out is equivalent; (3) a configuration is pruned when the same
 * completed operations and state were already explored with a subset of the pending operations
 * used (fewer used, more options), which stops the 2^k blow-up of pending writes later overwritten.
 */
final class Search<S, I, O> {

  /** How a search ended. */
  enum End { LINEARIZABLE, NOT_LINEARIZABLE, OUT_OF_STEPS, OUT_OF_TIME }

  /** One linearized operation and the state after it, for the explanation of a failure. */
  record Placed<I, O>(Operation<I, O> operation, Object stateAfter) {}

  private final Model<S, I, O> model;
  /** The partition searched, as {@link Model#partition} named it; for error messages. */
  private final Object partition;
  /** Completed operations, in the linked list of events. */
  private final Operation<I, O>[] ops;
  /** Operations of unknown outcome, by invocation time; candidates once invoked. */
  private final Operation<I, O>[] pending;
  private final int head;
  private final int[] next;
  private final int[] prev;
  private final long[] time;
  private final long[] linearized;
  private final long[] linearizedPending;
  /** Failed configurations: per (linearized completed ops, state), the sets of pending ops used. */
  private final Map<CacheKey, List<long[]>> seen = new HashMap<>();
  private final long budget;
  /** {@link System#nanoTime()} after which to give up; meaningful only when {@link #timed}. */
  private final long deadline;
  private final boolean timed;
  /** When non-null: the operation whose blocking is explained, by position in {@link #ops}. */
  private final int explainBlockedAt;
  private long steps;
  private List<Placed<I, O>> explanation;
  private Object explanationState;

  /**
   * @param partition the partition's key, for error messages
   * @param operations completed and unknown operations of one partition (no failed ones)
   * @param budget steps before giving up; the search never takes more
   * @param timed whether to give up at {@code deadline}
   * @param deadline {@link System#nanoTime()} after which to give up
   * @param explain the completed operation whose blocking to explain (it must have the last
   *     response), or null
   */
  @SuppressWarnings("unchecked")
  Search(Model<S, I, O> model, Object partition, List<Operation<I, O>> operations, long budget, boolean timed,
      long deadline, Operation<I, O> explain) {
    this.model = model;
    this.partition = partition;
    this.budget = budget;
    this.timed = timed;
    this.deadline = deadline;
    this.ops = operations.stream().filter(Operation::isCompleted).toArray(Operation[]::new);
    this.pending = operations.stream().filter(Operation::isUnknown)
        .sorted(Comparator.comparingLong(Operation::invokedAt)).toArray(Operation[]::new);
    this.explainBlockedAt = explain == null ? -1 : Arrays.asList(ops).indexOf(explain);
    int events = 2 * ops.length;
    head = events;
    next = new int[events + 1];
    prev = new int[events + 1];
    time = new long[events];
    linearized = new long[(ops.length + 63) >>> 6];
    linearizedPending = new long[(pending.length + 63) >>> 6];
    Integer[] order = new Integer[events];
    for (int e = 0; e < events; e++) {
      // Event 2i is the invocation of op i, 2i+1 its response.
      order[e] = e;
      time[e] = (e & 1) == 0 ? ops[e >> 1].invokedAt() : ops[e >> 1].completedAt();
    }
    // At equal times invocations come first: operations touching in time are concurrent.
    Arrays.sort(order, Comparator.<Integer>comparingLong(e -> time[e]).thenComparingInt(e -> e & 1)
        .thenComparingInt(e -> e));
    int last = head;
    for (int e : order) {
      next[last] = e;
      prev[e] = last;
      last = e;
    }
    next[last] = -1;
  }

  long steps() {
    return steps;
  }

  /** The order found in which everything but the explained operation fits (empty if none was found). */
  List<Placed<I, O>> explanation() {
    return explanation == null ? List.of() : explanation;
  }

  /** Whether the search reached the explained operation's response, so that {@link #explanation()} holds. */
  boolean explained() {
    return explanation != null;
  }

  /** The state after {@link #explanation()}, in which the explained operation cannot take effect. */
  Object explanationState() {
    return explanationState;
  }

  /** One choice on the search stack: a completed op (its call event) or a pending op (its index). */
  private record Frame(boolean known, int choice, Object stateBefore, long frontier) {}

  /**
   * The model's step from {@code state}; a model that throws or answers null is a bug in the
   * caller's test, reported with what it was given rather than from deep inside the search.
   */
  @SuppressWarnings("unchecked")
  private Model.Step<Object> step(Object state, Operation<I, O> op) {
    Model.Step<Object> s;
    try {
      s = op.isCompleted() ? (Model.Step<Object>) model.step((S) state, op.input(), op.output())
          : Model.Step.to(model.stepUnknown((S) state, op.input()));
    } catch (RuntimeException e) {
      throw new IllegalStateException("the model threw on operation #" + op.id() + " (partition " + partition
          + ") in state " + describe(state) + ": " + e, e);
    }
    if (s == null) {
      throw new IllegalStateException("the model's step returned null on operation #" + op.id() + " (partition "
          + partition + ") in state " + describe(state) + "; an operation that cannot take effect is Step.illegal()");
    }
    return s;
  }

  @SuppressWarnings("unchecked")
  private String describe(Object state) {
    try {
      return model.describeState((S) state);
    } catch (RuntimeException e) {
      return String.valueOf(state);
    }
  }

  End run() {
    ArrayDeque<Frame> stack = new ArrayDeque<>();
    Object state;
    try {
      state = model.init();
    } catch (RuntimeException e) {
      throw new IllegalStateException("the model threw on init() (partition " + partition + "): " + e, e);
    }
    boolean knownPhase = true;
    int entry = next[head];
    int candidate = 0;
    long frontier = 0;
    while (true) {
      if (steps >= budget) {
        return End.OUT_OF_STEPS;
      }
      steps++;
      if (timed && (steps & 0xfff) == 0 && System.nanoTime() - deadline > 0) {
        return End.OUT_OF_TIME;
      }
      if (knownPhase) {
        if (entry == -1) {
          return End.LINEARIZABLE; // every operation with a response is linearized
        }
        if ((entry & 1) == 0) {
          Operation<I, O> op = ops[entry >> 1];
          Model.Step<Object> s = step(state, op);
          if (s.legal() && firstVisit(linearized, entry >> 1, s.next())) {
            stack.push(new Frame(true, entry, state, 0));
            state = s.next();
            lift(entry);
            entry = next[head];
          } else {
            entry = next[entry];
          }
          continue;
        }
        // The first response left: nothing after it may go first. Try the pending ops, then back up.
        if (explanation == null && entry >> 1 == explainBlockedAt) {
          explain(stack, state);
        }
        knownPhase = false;
        frontier = time[entry];
        candidate = 0;
        continue;
      }
      if (candidate < pending.length && pending[candidate].invokedAt() <= frontier) {
        int u = candidate++;
        if (!isSet(linearizedPending, u)) {
          Model.Step<Object> s = step(state, pending[u]);
          // A pending op whose effect leaves the state as it is can as well never have happened.
          if (!Objects.equals(s.next(), state) && firstVisit(linearizedPending, u, s.next())) {
            stack.push(new Frame(false, u, state, frontier));
            state = s.next();
            knownPhase = true;
            entry = next[head];
          }
        }
        continue;
      }
      if (stack.isEmpty()) {
        return End.NOT_LINEARIZABLE;
      }
      Frame f = stack.pop();
      state = f.stateBefore();
      if (f.known()) {
        flip(linearized, f.choice() >> 1);
        unlift(f.choice());
        knownPhase = true;
        entry = next[f.choice()];
      } else {
        flip(linearizedPending, f.choice());
        knownPhase = false;
        frontier = f.frontier();
        candidate = f.choice() + 1;
      }
    }
  }

  /** Records the operations on the stack, oldest first, with the state after each. */
  private void explain(ArrayDeque<Frame> stack, Object state) {
    List<Placed<I, O>> placed = new ArrayList<>();
    Object after = state;
    for (Iterator<Frame> it = stack.iterator(); it.hasNext(); ) {
      Frame f = it.next(); // newest first
      Operation<I, O> op = f.known() ? ops[f.choice() >> 1] : pending[f.choice()];
      placed.add(0, new Placed<>(op, after));
      after = f.stateBefore();
    }
    explanation = placed;
    explanationState = state;
  }

  /**
   * Sets bit {@code index} of {@code bits} and records the configuration; returns false (bit
   * cleared again) when this configuration, or one with fewer pending ops used, was seen.
   */
  private boolean firstVisit(long[] bits, int index, Object newState) {
    flip(bits, index);
    CacheKey k = new CacheKey(linearized.clone(), newState);
    List<long[]> usedSets = seen.computeIfAbsent(k, x -> new ArrayList<>(1));
    // Each comparison is a step, and the budget is never overdrawn: out of steps, the caller
    // backs off and run() stops at its next turn.
    for (long[] used : usedSets) {
      if (steps >= budget) {
        flip(bits, index);
        return false;
      }
      steps++;
      if (isSubset(used, linearizedPending)) {
        flip(bits, index);
        return false;
      }
    }
    if (steps >= budget) {
      flip(bits, index);
      return false;
    }
    steps++;
    usedSets.add(linearizedPending.clone());
    return true;
  }

  private static boolean isSubset(long[] small, long[] large) {
    for (int i = 0; i < small.length; i++) {
      if ((small[i] & ~large[i]) != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSet(long[] bits, int index) {
    return (bits[index >>> 6] & (1L << index)) != 0;
  }

  private static void flip(long[] bits, int index) {
    bits[index >>> 6] ^= 1L << index;
  }

  private void lift(int call) {
    remove(call);
    remove(call + 1);
  }

  private void unlift(int call) {
    restore(call + 1);
    restore(call);
  }

  private void remove(int e) {
    next[prev[e]] = next[e];
    if (next[e] != -1) {
      prev[next[e]] = prev[e];
    }
  }

  private void restore(int e) {
    next[prev[e]] = e;
    if (next[e] != -1) {
      prev[next[e]] = e;
    }
  }

  /** A memoized configuration: which completed operations are linearized, and the state they leave. */
  private static final class CacheKey {
    private final long[] linearized;
    private final Object state;
    private final int hash;

    CacheKey(long[] linearized, Object state) {
      this.linearized = linearized;
      this.state = state;
      this.hash = 31 * Arrays.hashCode(linearized) + Objects.hashCode(state);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof CacheKey k && hash == k.hash && Objects.equals(state, k.state)
          && Arrays.equals(linearized, k.linearized);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
