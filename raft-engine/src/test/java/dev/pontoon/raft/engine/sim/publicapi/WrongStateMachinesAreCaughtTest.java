package dev.pontoon.raft.engine.sim.publicapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.sim.OperationGenerator;
import dev.pontoon.raft.engine.sim.Request;
import dev.pontoon.raft.engine.sim.SimulationReport;
import dev.pontoon.raft.engine.sim.StateMachineSimulation;
import dev.pontoon.raft.engine.sim.Violation;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulation of a user's state machine must be able to fail: a state machine that breaks the
 * {@code StateMachine} contract, or its own specification, is caught within a few seeds, by the
 * check meant to catch it.
 */
class WrongStateMachinesAreCaughtTest {
  private static final OperationGenerator CLIENTS = (random, client) -> random.nextInt(3) == 0
      ? Request.read("balance") : Request.command(Integer.toString(random.nextInt(-5, 6)));

  private static SimulationReport simulate(Supplier<StateMachine> stateMachine) {
    return builder(stateMachine).build().run();
  }

  private static StateMachineSimulation.Builder builder(Supplier<StateMachine> stateMachine) {
    return StateMachineSimulation.builder().stateMachine(stateMachine).operations(CLIENTS)
        .model(AccountSimulationTest.SPEC).seeds(12).threads(2);
  }

  private static void assertCaught(SimulationReport report, Predicate<Violation> expected, String what) {
    assertFalse(report.ok(), what + " went unnoticed");
    assertTrue(report.failures().stream().flatMap(r -> r.violations().stream()).anyMatch(expected),
        what + " was not reported as expected:\n" + report.describe());
  }

  /** Non-deterministic: now and then a deposit is rounded up by one, on whichever replica draws it. */
  static final class RoundingAccount extends AccountSimulationTest.Account {
    private final SplittableRandom ownRandom = new SplittableRandom(System.identityHashCode(this));

    @Override
    public Bytes apply(long index, Bytes command) {
      Bytes result = super.apply(index, command);
      if (ownRandom.nextInt(20) == 0 && !result.toUtf8().equals("refused")) {
        balance++;
        return Bytes.ofUtf8("" + balance);
      }
      return result;
    }
  }

  @Test
  void nonDeterministicApplyIsCaughtByTheReplicasResults() {
    assertCaught(simulate(RoundingAccount::new), v -> v instanceof Violation.DivergentResult,
        "an apply that draws its own random numbers");
  }

  /**
   * Not safe to replay: the result counts the commands this instance applied, which a replica
   * restored from a snapshot (or a restarted one) counts differently from the others.
   */
  static final class CountingAccount extends AccountSimulationTest.Account {
    private long calls;

    @Override
    public Bytes apply(long index, Bytes command) {
      Bytes result = super.apply(index, command);
      calls++;
      return result.toUtf8().equals("refused") ? result : Bytes.ofUtf8(balance + " after " + calls + " calls");
    }
  }

  @Test
  void resultsThatDependOnTheProcessRatherThanTheLogAreCaught() {
    assertCaught(simulate(CountingAccount::new), v -> v instanceof Violation.DivergentResult,
        "a result that counts the calls since the process started");
  }

  /** Deterministic but wrong: it lets the balance go below zero, which the specification refuses. */
  static final class OverdrawnAccount extends AccountSimulationTest.Account {
    @Override
    public Bytes apply(long index, Bytes command) {
      balance += Long.parseLong(command.toUtf8());
      return Bytes.ofUtf8("" + balance);
    }
  }

  @Test
  void stateMachineThatBreaksItsSpecificationIsCaughtByTheLinearizabilityCheck(@TempDir Path dir) throws IOException {
    SimulationReport report = builder(OverdrawnAccount::new).timelines(dir).build().run();
    assertCaught(report, v -> v instanceof Violation.NotLinearizable, "an overdraft the specification refuses");
    String described = report.describe();
    assertTrue(described.contains("shortest failing prefix") && described.contains("<- cannot be placed")
        && described.contains("replay: runSeed("), described);
    assertEquals(report.failures().size(), report.timelines().size());
    String page = Files.readString(report.timelines().get(0));
    assertTrue(page.contains("<div class=\"op blocked\"") && page.contains("linearization fails here"), page);
    assertTrue(described.contains("timeline of the checked history: file:"), described);
  }
}
