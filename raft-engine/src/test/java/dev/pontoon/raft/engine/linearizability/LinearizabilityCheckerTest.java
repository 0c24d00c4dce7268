package dev.pontoon.raft.engine.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.CheckResult.Partition;
import dev.pontoon.raft.engine.linearizability.CheckResult.Verdict;
import dev.pontoon.raft.engine.linearizability.KvModel.CompareAndSet;
import dev.pontoon.raft.engine.linearizability.KvModel.Delete;
import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Input;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import dev.pontoon.raft.engine.linearizability.KvModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * With the key-value model, the checker accepts exactly the histories a single copy of the map
 * could have produced (the checker's own rules — budgets, prefixes, explanations — are in
 * {@link CheckerRulesTest}).
 */
class LinearizabilityCheckerTest {

  private final List<Operation<Input, String>> history = new ArrayList<>();

  private void ok(int client, Input command, long invoked, long completed, String result) {
    history.add(Operation.completed(history.size(), client, command, result, invoked, completed));
  }

  private void unknown(int client, Input command, long invoked) {
    history.add(Operation.unknown(history.size(), client, command, invoked));
  }

  private void failed(int client, Input command, long invoked, long completed) {
    history.add(Operation.failed(history.size(), client, command, invoked, completed));
  }

  private void assertLinearizable() {
    CheckResult<Input, String> r = LinearizabilityChecker.check(new KvModel(), history);
    assertEquals(Verdict.LINEARIZABLE, r.verdict(), r.describe());
  }

  private Partition<Input, String> assertNotLinearizable(String key) {
    CheckResult<Input, String> r = LinearizabilityChecker.check(new KvModel(), history);
    assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict(), r.describe());
    assertEquals(1, r.failures().size(), "expected exactly one key to fail: " + r.describe());
    Partition<Input, String> p = r.failures().get(0);
    assertEquals(key, p.key());
    return p;
  }

  @Test
  void readAfterCompletedWriteMustNotSeeAnOlderValue() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(1, new Put("x", "2"), 20, 30, "OK");
    ok(2, new Get("x"), 40, 50, "1");
    Partition<Input, String> p = assertNotLinearizable("x");
    assertEquals(new Get("x"), p.failedAt().input());
  }

  @Test
  void completedWriteMustNotBeLost() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 20, 30, null);
    assertNotLinearizable("x");
  }

  @Test
  void anotherClientMustSeeAWriteThatCompletedBeforeItsReadBegan() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 11, 20, "1");
    ok(3, new Get("x"), 21, 30, null);
    assertNotLinearizable("x");
  }

  @Test
  void twoCompareAndSetsFromTheSameValueCannotBothSucceed() {
    ok(1, new Put("x", "a"), 0, 1, "OK");
    ok(1, new CompareAndSet("x", "a", "b"), 2, 10, "true");
    ok(2, new CompareAndSet("x", "a", "c"), 3, 9, "true");
    assertNotLinearizable("x");
  }

  @Test
  void compareAndSetMustSucceedWhenTheValueMatchesAndNothingRaces() {
    ok(1, new Put("x", "a"), 0, 1, "OK");
    ok(1, new CompareAndSet("x", "a", "b"), 2, 3, "false");
    assertNotLinearizable("x");
  }

  @Test
  void compareAndSetOnAbsentKeyMustFailAfterAPut() {
    ok(1, new Put("x", "a"), 0, 1, "OK");
    ok(2, new CompareAndSet("x", null, "b"), 2, 3, "true");
    assertNotLinearizable("x");
  }

  @Test
  void deletedValueMustNotReappear() {
    ok(1, new Put("x", "1"), 0, 1, "OK");
    ok(1, new Delete("x"), 2, 3, "OK");
    ok(2, new Get("x"), 4, 5, "1");
    assertNotLinearizable("x");
  }

  @Test
  void unknownWriteCannotTakeEffectBeforeItWasInvoked() {
    ok(1, new Get("x"), 0, 10, "1");
    unknown(2, new Put("x", "1"), 50);
    assertNotLinearizable("x");
  }

  @Test
  void unknownWriteThatWasSeenCannotBeUndone() {
    unknown(1, new Put("x", "1"), 0);
    ok(2, new Get("x"), 20, 21, "1");
    ok(2, new Get("x"), 30, 31, null);
    assertNotLinearizable("x");
  }

  @Test
  void readOfAValueNeverWrittenIsRejected() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 5, 15, "7");
    assertNotLinearizable("x");
  }

  @Test
  void onlyTheBrokenKeyIsReported() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 20, 30, "1");
    ok(1, new Put("y", "1"), 40, 50, "OK");
    ok(2, new Get("y"), 60, 70, null);
    assertNotLinearizable("y");
  }

  @Test
  void readConcurrentWithAWriteMaySeeEitherValue() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 5, 6, null);
    ok(3, new Get("x"), 5, 7, "1");
    assertLinearizable();
  }

  @Test
  void concurrentWritesMayBeOrderedEitherWay() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Put("x", "2"), 0, 10, "OK");
    ok(3, new Get("x"), 11, 12, "1");
    ok(3, new Get("x"), 13, 14, "1");
    assertLinearizable();
  }

  @Test
  void readsMustAgreeOnTheOrderOfConcurrentWrites() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Put("x", "2"), 0, 10, "OK");
    ok(3, new Get("x"), 11, 12, "1");
    ok(3, new Get("x"), 13, 14, "2");
    assertNotLinearizable("x");
  }

  @Test
  void operationsTouchingInTimeCountAsConcurrent() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 10, 12, null);
    assertLinearizable();
  }

  @Test
  void concurrentCompareAndSetsMayChain() {
    ok(1, new Put("x", "a"), 0, 1, "OK");
    ok(1, new CompareAndSet("x", "b", "c"), 2, 10, "true");
    ok(2, new CompareAndSet("x", "a", "b"), 3, 9, "true");
    ok(3, new Get("x"), 11, 12, "c");
    assertLinearizable();
  }

  @Test
  void unknownWriteMayHaveTakenEffect() {
    unknown(1, new Put("x", "1"), 0);
    ok(2, new Get("x"), 100, 110, "1");
    assertLinearizable();
  }

  @Test
  void unknownWriteMayNeverHaveTakenEffect() {
    unknown(1, new Put("x", "1"), 0);
    ok(2, new Get("x"), 100, 110, null);
    assertLinearizable();
  }

  @Test
  void unknownWriteMayTakeEffectLongAfterItsInvocation() {
    unknown(1, new Put("x", "1"), 0);
    ok(2, new Get("x"), 5, 6, null);
    ok(2, new Get("x"), 20, 21, null);
    ok(2, new Get("x"), 30, 31, "1");
    assertLinearizable();
  }

  @Test
  void unknownCompareAndSetMayHaveSwappedOrNot() {
    ok(1, new Put("x", "a"), 0, 1, "OK");
    unknown(2, new CompareAndSet("x", "a", "b"), 2);
    ok(3, new Get("x"), 10, 11, "b");
    assertLinearizable();
  }

  @Test
  void failedAndUnknownReadsAreIgnored() {
    ok(1, new Put("x", "1"), 0, 1, "OK");
    failed(2, new Put("x", "2"), 2, 3);
    unknown(3, new Get("x"), 4);
    ok(1, new Get("x"), 5, 6, "1");
    assertLinearizable();
  }

  @Test
  void emptyHistoryIsLinearizable() {
    assertLinearizable();
  }

  @Test
  void largeGeneratedLinearizableHistoryIsAccepted() {
    history.addAll(generate(42, 5_000, 3, 6, 100));
    assertLinearizable();
  }

  @Test
  void largeGeneratedHistoryWithOneCorruptedReadIsRejected() {
    List<Operation<Input, String>> generated = generate(7, 5_000, 3, 6, 100);
    int victim = -1;
    for (int i = generated.size() / 2; i < generated.size() && victim < 0; i++) {
      Operation<Input, String> o = generated.get(i);
      if (o.input() instanceof Get && o.isCompleted()) {
        victim = i;
      }
    }
    Operation<Input, String> o = generated.get(victim);
    generated.set(victim, Operation.completed(o.id(), o.client(), o.input(), "never-written", o.invokedAt(),
        o.completedAt()));
    history.addAll(generated);
    Partition<Input, String> p = assertNotLinearizable(o.input().key());
    assertEquals(o.id(), p.failedAt().id(), "the corrupted read is where linearization fails");
  }

  /**
   * A history linearizable by construction: each operation takes effect at a random instant inside
   * its interval, and its result is computed in the order of those instants. Some writes end with
   * an unknown outcome, having taken effect or not.
   */
  static List<Operation<Input, String>> generate(long seed, int count, int keys, int clients) {
    return generate(seed, count, keys, clients, 20);
  }

  static List<Operation<Input, String>> generate(long seed, int count, int keys, int clients, int oneInUnknown) {
    SplittableRandom random = new SplittableRandom(seed);
    record Planned(Operation<Input, String> op, long effectAt, boolean takesEffect) {}
    List<Planned> planned = new ArrayList<>();
    long[] clientTime = new long[clients];
    for (int i = 0; i < count; i++) {
      int client = random.nextInt(clients);
      String key = "k" + random.nextInt(keys);
      String value = "v" + i;
      Input command = switch (random.nextInt(4)) {
        case 0 -> new Put(key, value);
        case 1 -> new Delete(key);
        case 2 -> new CompareAndSet(key, "v" + (i - 1 - random.nextInt(Math.min(i + 1, 8))), value);
        default -> new Get(key);
      };
      long invoked = clientTime[client] + random.nextInt(1, 20);
      long effectAt = invoked + random.nextInt(0, 30);
      long completed = effectAt + random.nextInt(0, 30);
      clientTime[client] = completed;
      boolean lost = command.isWrite() && oneInUnknown > 0 && random.nextInt(oneInUnknown) == 0;
      Operation<Input, String> op = lost ? Operation.unknown(i, client, command, invoked)
          : Operation.completed(i, client, command, null, invoked, completed);
      planned.add(new Planned(op, effectAt, !lost || random.nextBoolean()));
    }
    planned.sort(Comparator.comparingLong(Planned::effectAt));
    Map<String, String> state = new HashMap<>();
    List<Operation<Input, String>> out = new ArrayList<>();
    for (Planned p : planned) {
      Operation<Input, String> op = p.op();
      Input c = op.input();
      String result = "OK";
      if (!p.takesEffect()) {
        out.add(op);
        continue;
      }
      if (c instanceof Put put) {
        state.put(put.key(), put.value());
      } else if (c instanceof Delete) {
        state.remove(c.key());
      } else if (c instanceof Get) {
        result = state.get(c.key());
      } else if (c instanceof CompareAndSet cas) {
        boolean swaps = java.util.Objects.equals(state.get(cas.key()), cas.expected());
        if (swaps) {
          state.put(cas.key(), cas.value());
        }
        result = Boolean.toString(swaps);
      }
      out.add(op.isUnknown() ? op : Operation.completed(op.id(), op.client(), c, result, op.invokedAt(),
          op.completedAt()));
    }
    out.sort(Comparator.comparingLong(Operation::id));
    assertTrue(out.size() == count);
    return out;
  }
}
