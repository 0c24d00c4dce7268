package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.sim.KvCommand.CompareAndSet;
import dev.pontoon.raft.engine.sim.KvCommand.Delete;
import dev.pontoon.raft.engine.sim.KvCommand.Get;
import dev.pontoon.raft.engine.sim.KvCommand.Put;
import dev.pontoon.raft.engine.sim.Operation.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a history of key-value operations is linearizable: whether every operation can
 * be given one instant between its invocation and its response such that, taken in the order of
 * those instants, the operations give the responses a single copy of the map would.
 *
 * <p>Operations of unknown outcome ({@link Status#UNKNOWN}) may take effect at any instant after
 * their invocation, or never; their response is not checked. Operations that definitely did not
 * take effect ({@link Status#FAILED}) are ignored, and so are reads of unknown outcome (they
 * change nothing).
 *
 * <p>Two operations are ordered only when one's response time is strictly before the other's
 * invocation time; equal times count as concurrent.
 */
final class LinearizabilityChecker {

  /* Implementation notes.
   *
   * The history is split by key: linearizability is a local property (Herlihy & Wing 1990,
   * Theorem 1), and every KvCommand touches one key, so the whole history is linearizable iff each
   * key's sub-history is. This is what Porcupine does, and it shrinks the search enormously.
   *
   * Each key is checked with the Wing & Gong search as improved by Lowe ("Testing for
   * linearizability", 2017): the invocation and response events sit in a doubly linked list in
   * time order. Walking from the head, an invocation whose operation the model accepts in the
   * current state is "lifted" (its invocation and response leave the list) and the walk restarts
   * at the head; reaching a response means the operation of that response could not be placed
   * before it, so the last lift is undone (backtracking). Every (set of linearized operations,
   * state) pair is memoized, so no configuration is explored twice.
   *
   * Unknown-outcome ("pending") operations have no response, so they never bound the search;
   * they stay outside the list and are tried only after every known candidate at a point, once
   * invoked before the first response left. Three rules keep them cheap, each sound because a
   * pending op may also never take effect: (1) the search succeeds once every known op is
   * linearized; (2) a pending op that would leave the state unchanged is not placed, since
   * leaving it out is equivalent; (3) a configuration is pruned when the same known ops and
   * state were already explored with a subset of the pending ops used (fewer used, more
   * options), which stops the 2^k blow-up of pending writes later overwritten.
   */

  private LinearizabilityChecker() {}

  /**
   * Checks {@code history}.
   *
   * @return one {@link Violation.NotLinearizable} per key whose sub-history has no
   *     linearization; empty when the history is linearizable
   */
  static List<Violation> check(List<Operation> history) {
    return check(history, DEFAULT_BUDGET);
  }

  /** Search steps per key before giving up; a give-up is reported, never a pass. */
  static final int DEFAULT_BUDGET = 5_000_000;

  /**
   * Checks {@code history}, taking at most {@code budget} search steps per key. A key
   * whose search runs out of budget is reported as {@link Violation.CheckerGaveUp}: an unproven
   * history never passes.
   */
  static List<Violation> check(List<Operation> history, int budget) {
    Map<String, List<Operation>> byKey = new LinkedHashMap<>();
    for (Operation op : history) {
      if (op.status() == Status.FAILED || (op.status() == Status.UNKNOWN && !op.command().isWrite())) {
        continue;
      }
      byKey.computeIfAbsent(op.command().key(), k -> new ArrayList<>()).add(op);
    }
    List<Violation> violations = new ArrayList<>();
    for (Map.Entry<String, List<Operation>> e : byKey.entrySet()) {
      Violation v = new KeySearch(e.getKey(), e.getValue(), budget).run();
      if (v != null) {
        violations.add(v);
      }
    }
    return violations;
  }

  /** The model's answer to one step: whether the operation fits, and the state after it. */
  private record Step(boolean accepted, String state) {}

  /** Applies {@code op} to the value {@code state} of its key (null: absent). */
  private static Step step(String state, Operation op) {
    boolean checked = op.status() == Status.OK;
    KvCommand c = op.command();
    if (c instanceof Put put) {
      return new Step(true, put.value());
    } else if (c instanceof Delete) {
      return new Step(true, null);
    } else if (c instanceof Get) {
      return new Step(Objects.equals(state, op.result()), state);
    } else if (c instanceof CompareAndSet cas) {
      boolean swaps = Objects.equals(state, cas.expected());
      boolean fits = !checked || Boolean.toString(swaps).equals(op.result());
      return new Step(fits, swaps ? cas.value() : state);
    }
    throw new IllegalArgumentException("unknown command " + c);
  }

  /** The search over one key's operations. */
  private static final class KeySearch {
    private final String key;
    /** Operations with a known response, in the linked list of events. */
    private final Operation[] ops;
    /** Operations of unknown outcome, by invocation time; candidates once invoked. */
    private final Operation[] pending;
    private final int head;
    private final int[] next;
    private final int[] prev;
    private final long[] time;
    private final long[] linearized;
    private final long[] linearizedPending;
    /** Failed configurations: per (linearized known ops, state), the sets of pending ops used. */
    private final Map<CacheKey, List<long[]>> seen = new HashMap<>();
    private final int budget;
    private int explored;
    private int bestDepth = -1;
    private int blockedOp = -1;

    KeySearch(String key, List<Operation> operations, int budget) {
      this.key = key;
      this.budget = budget;
      this.ops = operations.stream().filter(o -> o.completedAt() != Operation.NEVER).toArray(Operation[]::new);
      this.pending = operations.stream().filter(o -> o.completedAt() == Operation.NEVER)
          .sorted(Comparator.comparingLong(Operation::invokedAt)).toArray(Operation[]::new);
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

    /** One choice on the search stack: a known op (its call event) or a pending op (its index). */
    private record Frame(boolean known, int choice, String stateBefore, long frontier) {}

    Violation run() {
      ArrayDeque<Frame> stack = new ArrayDeque<>();
      String state = null;
      boolean knownPhase = true;
      int entry = next[head];
      int candidate = 0;
      long frontier = 0;
      while (true) {
        if (++explored > budget) {
          return new Violation.CheckerGaveUp(key, ops.length, pending.length, budget);
        }
        if (knownPhase) {
          if (entry == -1) {
            return null; // every operation with a response is linearized
          }
          if ((entry & 1) == 0) {
            Operation op = ops[entry >> 1];
            Step s = step(state, op);
            if (s.accepted() && firstVisit(linearized, entry >> 1, s.state())) {
              stack.push(new Frame(true, entry, state, 0));
              state = s.state();
              lift(entry);
              entry = next[head];
            } else {
              entry = next[entry];
            }
            continue;
          }
          // The first response left: nothing after it may go first. Try the pending ops, then back up.
          if (stack.size() > bestDepth) {
            bestDepth = stack.size();
            blockedOp = entry >> 1;
          }
          knownPhase = false;
          frontier = time[entry];
          candidate = 0;
          continue;
        }
        if (candidate < pending.length && pending[candidate].invokedAt() <= frontier) {
          int u = candidate++;
          if (!isSet(linearizedPending, u)) {
            Step s = step(state, pending[u]);
            // A pending op whose effect leaves the state as it is can as well never have happened.
            if (!Objects.equals(s.state(), state) && firstVisit(linearizedPending, u, s.state())) {
              stack.push(new Frame(false, u, state, frontier));
              state = s.state();
              knownPhase = true;
              entry = next[head];
            }
          }
          continue;
        }
        if (stack.isEmpty()) {
          return violation();
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

    /**
     * Sets bit {@code index} of {@code bits} and records the configuration; returns false (bit
     * cleared again) when this configuration, or one with fewer pending ops used, was seen.
     */
    private boolean firstVisit(long[] bits, int index, String newState) {
      flip(bits, index);
      CacheKey k = new CacheKey(linearized.clone(), newState);
      List<long[]> usedSets = seen.computeIfAbsent(k, x -> new ArrayList<>(1));
      for (long[] used : usedSets) {
        explored++;
        if (isSubset(used, linearizedPending)) {
          flip(bits, index);
          return false;
        }
      }
      usedSets.add(linearizedPending.clone());
      explored++;
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

    private Violation violation() {
      Operation blocked = ops[blockedOp];
      List<Operation> context = new ArrayList<>();
      for (Operation o : ops) {
        if (o.completedAt() >= blocked.invokedAt() && o.invokedAt() <= blocked.completedAt()) {
          context.add(o);
        }
      }
      for (Operation o : pending) {
        if (o.invokedAt() <= blocked.completedAt()) {
          context.add(o);
        }
      }
      context.sort(Comparator.comparingLong(Operation::invokedAt));
      if (context.size() > 30) {
        context = context.subList(context.size() - 30, context.size());
      }
      return new Violation.NotLinearizable(key, blocked, context);
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

  /** A memoized configuration: which known operations are linearized, and the value they leave. */
  private static final class CacheKey {
    private final long[] linearized;
    private final String state;
    private final int hash;

    CacheKey(long[] linearized, String state) {
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
