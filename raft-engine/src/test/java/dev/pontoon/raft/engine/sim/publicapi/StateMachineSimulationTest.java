package dev.pontoon.raft.engine.sim.publicapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.CheckResult;
import dev.pontoon.raft.engine.linearizability.Model;
import dev.pontoon.raft.engine.sim.OperationGenerator;
import dev.pontoon.raft.engine.sim.Request;
import dev.pontoon.raft.engine.sim.SimulationReport;
import dev.pontoon.raft.engine.sim.SimulationResult;
import dev.pontoon.raft.engine.sim.StateMachineSimulation;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import org.junit.jupiter.api.Test;

/** The builder checks what it is given; a seed replays exactly; a state machine without snapshots still runs. */
class StateMachineSimulationTest {
  private static final OperationGenerator CLIENTS = (random, client) -> random.nextInt(3) == 0
      ? Request.read("balance") : Request.command(Integer.toString(random.nextInt(-5, 6)));

  private static StateMachineSimulation.Builder account() {
    return StateMachineSimulation.builder().stateMachine(AccountSimulationTest.Account::new).operations(CLIENTS)
        .model(AccountSimulationTest.SPEC);
  }

  @Test
  void aSimulationNeedsAStateMachineAGeneratorAndAModel() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> StateMachineSimulation.builder().operations(CLIENTS).build());
    assertEquals("a simulation needs stateMachine(...), operations(...) and model(...); missing: stateMachine model",
        e.getMessage());
  }

  @Test
  void sizesAndCountsAreChecked() {
    assertEquals("nodes (2) must be 3 to 7, or 0 for 3 to 5 chosen by each seed",
        assertThrows(IllegalArgumentException.class, () -> account().nodes(2)).getMessage());
    assertEquals("seeds (0) must be positive",
        assertThrows(IllegalArgumentException.class, () -> account().seeds(0)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> account().threads(0));
    assertThrows(IllegalArgumentException.class, () -> account().eventsPerSeed(-1));
  }

  @Test
  void aSeedReplaysExactlyAndRecordsTheHistoryItChecked() {
    StateMachineSimulation simulation = account().nodes(5).build();
    SimulationResult first = simulation.runSeed(42);
    SimulationResult again = simulation.runSeed(42);
    assertTrue(first.ok(), first.describe());
    assertEquals(first.traceHash(), again.traceHash());
    assertEquals(first.history(), again.history());
    assertTrue(first.operations() > 50, "clients must exercise the cluster: " + first);
    assertEquals(CheckResult.Verdict.LINEARIZABLE, first.check().verdict());
    assertTrue(first.history().stream().anyMatch(o -> o.input() instanceof Request r && !r.isRead()));
    assertTrue(first.replay().startsWith("runSeed(42L)"), first.replay());
  }

  /** A model that throws is a bug in the test, not in the cluster: the run stops, naming the seed and the operation. */
  @Test
  void aModelThatThrowsStopsTheRunNamingTheSeedAndTheOperation() {
    Model<Long, Request, Bytes> broken = Model.deterministic(0L, (balance, request) -> {
      throw new NumberFormatException("cannot parse " + request);
    });
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> account().model(broken).firstSeed(7).seeds(1).threads(1).build().run());
    assertTrue(e.getMessage().startsWith("seed 7: the model threw on operation #"), e.getMessage());
    assertTrue(e.getMessage().contains("replay: runSeed(7L)"), e.getMessage());
    assertInstanceOf(NumberFormatException.class, e.getCause().getCause());
  }

  /** Process faults reach a user's state machine too: restored from snapshots and replayed in recoveries that crash. */
  @Test
  void processFaultsRunAUserStateMachineThroughCrashesInsideWorkAndRecovery() {
    StateMachineSimulation simulation = account().processFaults(true).seeds(40).firstSeed(1_000).threads(2).build();
    SimulationReport report = simulation.run();
    assertTrue(report.ok(), report::describe);
    SimulationResult one = simulation.runSeed(1_003);
    assertTrue(one.describe().contains("process faults: "), one.describe());
    assertTrue(one.traceHash() != account().seeds(1).build().runSeed(1_003).traceHash(),
        "the same seed without process faults is another run");
  }

  @Test
  void theSeedPropertyRunsOneSeedAlone() {
    System.setProperty(StateMachineSimulation.SEED_PROPERTY, "7");
    try {
      SimulationReport report = account().seeds(50).build().run();
      assertEquals(1, report.seeds());
      assertTrue(report.ok(), report::describe);
      assertTrue(report.summary().matches("seeds=1 events=\\d+ violations=0"), report.summary());
    } finally {
      System.clearProperty(StateMachineSimulation.SEED_PROPERTY);
    }
  }

  /** A counter without snapshot support. */
  static final class Counter implements StateMachine {
    long total;

    @Override
    public Bytes apply(long index, Bytes command) {
      return Bytes.ofUtf8("" + (total += Long.parseLong(command.toUtf8())));
    }

    @Override
    public Bytes query(Bytes query) {
      return Bytes.ofUtf8("" + total);
    }
  }

  @Test
  void aStateMachineWithoutSnapshotsRunsWithSnapshotsOff() {
    SimulationReport report = StateMachineSimulation.builder().stateMachine(Counter::new)
        .operations((random, client) -> random.nextBoolean() ? Request.read("total") : Request.command("1"))
        .model(dev.pontoon.raft.engine.linearizability.Model.deterministic(0L, (total, r) -> r.isRead()
            ? dev.pontoon.raft.engine.linearizability.Model.outcome(total, Bytes.ofUtf8("" + total))
            : dev.pontoon.raft.engine.linearizability.Model.outcome(total + 1, Bytes.ofUtf8("" + (total + 1)))))
        .seeds(6).threads(2).build().run();
    assertTrue(report.ok(), report::describe);
  }
}
