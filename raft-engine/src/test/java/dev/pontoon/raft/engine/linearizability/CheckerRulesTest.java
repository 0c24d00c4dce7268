package dev.pontoon.raft.engine.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.CheckResult.Linearized;
import dev.pontoon.raft.engine.linearizability.CheckResult.Partition;
import dev.pontoon.raft.engine.linearizability.CheckResult.Verdict;
import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Input;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The checker's own rules, whatever the model: a failure comes with the shortest failing prefix
 * of its partition and an explanation, partitions are judged apart, and a deterministic model is
 * written in one expression (budgets are in {@link CheckerBudgetsTest}, refused inputs and broken
 * models in {@link CheckerInputsTest}).
 */
class CheckerRulesTest {
  private final List<Operation<Input, String>> history = new ArrayList<>();

  private void ok(int client, Input command, long invoked, long completed, String result) {
    history.add(Operation.completed(history.size(), client, command, result, invoked, completed));
  }

  private CheckResult<Input, String> check() {
    return LinearizabilityChecker.check(new KvModel(), history);
  }

  @Test
  void shortestFailingPrefixEndsAtTheFirstResponseNoOrderExplains() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 20, 30, "1");
    ok(2, new Get("x"), 40, 50, null); // the value was lost: fails here
    ok(1, new Put("x", "2"), 60, 70, "OK");
    ok(2, new Get("x"), 80, 90, "1"); // fails too, but later
    Partition<Input, String> p = check().failures().get(0);
    assertEquals(Verdict.NOT_LINEARIZABLE, p.verdict());
    assertEquals(history.subList(0, 3), p.shortestFailingPrefix());
    assertEquals(history.get(2), p.failedAt());
    assertEquals(OptionalLong.of(50), p.failedAtTime());
    assertEquals(List.of(new Linearized<>(history.get(0), "1"), new Linearized<>(history.get(1), "1")),
        p.linearized());
    assertTrue(p.explanation().contains("#2 c2 [40,50] get x -> (absent)   <- cannot be placed"), p.explanation());
    assertTrue(p.explanation().contains("cannot take effect in state 1"), p.explanation());
  }

  @Test
  void operationsAnsweredAfterTheFailurePointAppearInThePrefixAsUnknown() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 5, 100, null); // concurrent with everything below; answered late
    ok(3, new Get("x"), 20, 30, null); // must see 1: fails at 30
    Partition<Input, String> p = check().failures().get(0);
    assertEquals(history.get(2), p.failedAt());
    assertEquals(3, p.shortestFailingPrefix().size());
    Operation<Input, String> cut = p.shortestFailingPrefix().get(1);
    assertTrue(cut.isUnknown() && cut.id() == 1, cut.toString());
  }

  @Test
  void aFailureIsExplainedEvenWhenTheFirstOperationCannotBePlaced() {
    ok(1, new Get("x"), 0, 10, "ghost");
    Partition<Input, String> p = check().failures().get(0);
    assertEquals(List.of(), p.linearized());
    assertTrue(p.explanation().contains("cannot take effect in state (absent)"), p.explanation());
  }

  @Test
  void partitionsAreJudgedApartAndAFailureOutranksAnUnknown() {
    ok(1, new Put("x", "1"), 0, 10, "OK");
    ok(2, new Get("x"), 20, 30, "1");
    ok(1, new Put("y", "1"), 40, 50, "OK");
    ok(2, new Get("y"), 60, 70, "2");
    CheckResult<Input, String> r = check();
    assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict());
    assertEquals(List.of("x", "y"), r.partitions().stream().map(Partition::key).toList());
    assertEquals(Verdict.LINEARIZABLE, r.partitions().get(0).verdict());
    assertNull(r.partitions().get(0).failedAt());
    assertEquals(List.of(r.partitions().get(1)), r.failures());
    assertTrue(r.describe().startsWith("not linearizable: 2 partitions, 1 not proven linearizable\npartition y:"),
        r.describe());
  }

  @Test
  void emptyHistoryIsLinearizableWithNoPartitions() {
    CheckResult<Input, String> r = check();
    assertTrue(r.isLinearizable());
    assertEquals(List.of(), r.partitions());
  }

  @Test
  void deterministicModelChecksOutputsByEquality() {
    // A counter: "add N" adds N and answers the new total; "get" answers the total.
    Model<Long, String, Long> counter = Model.deterministic(0L, (total, input) -> input.equals("get")
        ? Model.outcome(total, total)
        : Model.outcome(total + Long.parseLong(input.substring(4)), total + Long.parseLong(input.substring(4))));
    List<Operation<String, Long>> h = new ArrayList<>();
    h.add(Operation.completed(0, 1, "add 2", 5L, 0, 10)); // concurrent with the next: it went second
    h.add(Operation.completed(1, 2, "add 3", 3L, 5, 15));
    h.add(Operation.completed(2, 1, "get", 5L, 20, 30));
    assertTrue(LinearizabilityChecker.check(counter, h).isLinearizable());
    h.add(Operation.unknown(3, 2, "add 10", 40));
    h.add(Operation.completed(4, 1, "get", 15L, 50, 60)); // the unknown add took effect
    assertTrue(LinearizabilityChecker.check(counter, h).isLinearizable());
    h.add(Operation.completed(5, 1, "get", 5L, 70, 80)); // ... and cannot be undone
    CheckResult<String, Long> r = LinearizabilityChecker.check(counter, h);
    assertEquals(Verdict.NOT_LINEARIZABLE, r.verdict());
    assertEquals(5, r.failures().get(0).failedAt().id());
  }

  @Test
  void operationsRefuseTimesThatContradictTheirOutcome() {
    assertThrows(IllegalArgumentException.class,
        () -> new Operation<>(0, 0, "x", null, 5, 6, Operation.Status.UNKNOWN));
    assertThrows(IllegalArgumentException.class, () -> Operation.completed(0, 0, "x", "y", 5, 4));
    assertThrows(IllegalArgumentException.class,
        () -> new Operation<>(0, 0, "x", null, 5, Operation.NEVER, Operation.Status.COMPLETED));
    assertThrows(IllegalArgumentException.class, () -> new Operation<>(0, 0, "x", "y", 5, 6, Operation.Status.FAILED));
  }
}
