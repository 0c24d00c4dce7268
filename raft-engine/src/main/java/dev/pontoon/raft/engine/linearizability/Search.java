package dev.pontoon.raft.engine.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
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
 * no configuration is explored twice; the {@link Memo} keeps them compact and bounds their memory.
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
  enum End { LINEARIZABLE, NOT_LINEARIZABLE, OUT_OF_STEPS, OUT_OF_MEMORY, OUT_OF_TIME }

  /**
   * What a search may spend.
   *
   * @param steps steps before giving up; the search never takes more
   * @param memoryBytes the estimated heap its memo may take ({@link Memo})
   * @param timed whether to give up at {@code deadline}
   * @param deadline {@link System#nanoTime()} after which to give up
   */
  record Limits(long steps, long memoryBytes, boolean timed, long deadline) {}

  /** One linearized operation and the state after it, for the explanation of a failure. */
  record Placed<I, O>(Operation<I, O> operation, Object stateAfter) {}

  private final Model<S, I, O> model;
  /** The partition searched, as {@link Model#partition} named it; for error messages. */
  private final Object partition;
  /** Completed operations, in order of invocation (the {@link Memo} relies on it); events in the list. */
  private final Operation<I, O>[] ops;
  /** Operations of unknown outcome, by invocation time; candidates once invoked. */
  private final Operation<I, O>[] pending;
  private final int head;
  private final int[] next;
  private final int[] prev;
  private final long[] time;
  /** What is placed, and the failed configurations. */
  private final Memo memo;
  private final Limits limits;
  /** When non-null: the operation whose blocking is explained, by position in {@link #ops}. */
  private final int explainBlockedAt;
  /** Steps of the walk; the memo counts its own. */
  private long steps;
  private boolean memoFull;
  private List<Placed<I, O>> explanation;
  private Object explanationState;

  /**
   * @param partition the partition's key, for error messages
   * @param operations completed and unknown operations of one partition (no failed ones), in
   *     history order: responses at one time are ordered as here
   * @param limits what the search may spend
   * @param explain the completed operation whose blocking to explain (it must have the last
   *     response), or null
   */
  @SuppressWarnings("unchecked")
  Search(Model<S, I, O> model, Object partition, List<Operation<I, O>> operations, Limits limits,
      Operation<I, O> explain) {
    this.model = model;
    this.partition = partition;
    this.limits = limits;
    List<Operation<I, O>> completed = operations.stream().filter(Operation::isCompleted).toList();
    int[] position = new int[completed.size()]; // in history order, which breaks ties between events
    Integer[] byInvocation = new Integer[completed.size()];
    for (int i = 0; i < byInvocation.length; i++) {
      byInvocation[i] = i;
    }
    Arrays.sort(byInvocation, Comparator.comparingLong(i -> completed.get(i).invokedAt())); // stable
    this.ops = new Operation[completed.size()];
    for (int i = 0; i < ops.length; i++) {
      ops[i] = completed.get(byInvocation[i]);
      position[i] = byInvocation[i];
    }
    this.pending = operations.stream().filter(Operation::isUnknown)
        .sorted(Comparator.comparingLong(Operation::invokedAt)).toArray(Operation[]::new);
    this.explainBlockedAt = explain == null ? -1 : Arrays.asList(ops).indexOf(explain);
    this.memo = new Memo(ops.length, pending.length, limits.memoryBytes());
    int events = 2 * ops.length;
    head = events;
    next = new int[events + 1];
    prev = new int[events + 1];
    time = new long[events];
    Integer[] order = new Integer[events];
    for (int e = 0; e < events; e++) {
      // Event 2i is the invocation of op i, 2i+1 its response.
      order[e] = e;
      time[e] = (e & 1) == 0 ? ops[e >> 1].invokedAt() : ops[e >> 1].completedAt();
    }
    // At equal times invocations come first: operations touching in time are concurrent.
    Arrays.sort(order, Comparator.<Integer>comparingLong(e -> time[e]).thenComparingInt(e -> e & 1)
        .thenComparingInt(e -> position[e >> 1]));
    int last = head;
    for (int e : order) {
      next[last] = e;
      prev[e] = last;
      last = e;
    }
    next[last] = -1;
  }

  long steps() {
    return steps + memo.work();
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
      if (memoFull) {
        return End.OUT_OF_MEMORY;
      }
      if (steps() >= limits.steps()) {
        return End.OUT_OF_STEPS;
      }
      steps++;
      if (limits.timed() && (steps & 0xfff) == 0 && System.nanoTime() - limits.deadline() > 0) {
        return End.OUT_OF_TIME;
      }
      if (knownPhase) {
        if (entry == -1) {
          return End.LINEARIZABLE; // every operation with a response is linearized
        }
        if ((entry & 1) == 0) {
          Operation<I, O> op = ops[entry >> 1];
          Model.Step<Object> s = step(state, op);
          if (s.legal() && firstVisit(true, entry >> 1, s.next())) {
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
        if (!memo.isPendingPlaced(u)) {
          Model.Step<Object> s = step(state, pending[u]);
          // A pending op whose effect leaves the state as it is can as well never have happened.
          if (!Objects.equals(s.next(), state) && firstVisit(false, u, s.next())) {
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
        memo.flip(f.choice() >> 1);
        unlift(f.choice());
        knownPhase = true;
        entry = next[f.choice()];
      } else {
        memo.flipPending(f.choice());
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
   * Places completed operation {@code index} ({@code known}) or pending operation {@code index},
   * leaving {@code newState}; returns false, with it unplaced again, when this configuration was
   * explored before with no more pending operations used, or when the steps or the memory ran out
   * (then {@link #run} stops at its next turn).
   */
  private boolean firstVisit(boolean known, int index, Object newState) {
    flip(known, index);
    Memo.Visit v = memo.visit(newState, limits.steps() - steps());
    if (v == Memo.Visit.FIRST) {
      return true;
    }
    memoFull |= v == Memo.Visit.FULL;
    flip(known, index);
    return false;
  }

  private void flip(boolean known, int index) {
    if (known) {
      memo.flip(index);
    } else {
      memo.flipPending(index);
    }
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
}
