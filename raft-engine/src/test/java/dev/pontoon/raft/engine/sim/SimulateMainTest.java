package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line runs seeds, ends with one summary line, and rejects bad arguments with usage and exit 2. */
class SimulateMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return SimulateMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void cleanSeedsEndWithOneSummaryLineAndExitZero() {
    assertEquals(0, run("--seeds", "3", "--first-seed", "10", "--nodes", "5", "--threads", "1"));
    String[] lines = stdout().split("\n");
    assertEquals(1, lines.length, stdout());
    assertTrue(lines[0].matches("seeds=3 events=\\d+ violations=0"), lines[0]);
    assertTrue(Long.parseLong(lines[0].replaceAll(".*events=(\\d+).*", "$1")) >= 30_000);
  }

  @Test
  void helpPrintsUsageAndExitsZeroWithoutRunning() {
    assertEquals(0, run("--help"));
    assertTrue(stdout().startsWith("usage: pontoon-simulate"), stdout());
    assertEquals("", stderr());
  }

  @Test
  void nodesDefaultsToThree() {
    assertEquals(SimulateMain.parse(new String[] {"--seeds", "1"}).nodes(), 3);
    assertEquals(SimulateMain.parse(new String[] {"--nodes", "mixed"}).nodes(), 0);
  }

  @Test
  void membershipChangesAreOffUnlessAskedFor() {
    assertTrue(SimulateMain.parse(new String[] {"--membership", "on"}).membership());
    assertEquals(false, SimulateMain.parse(new String[] {"--seeds", "1"}).membership());
    assertEquals(2, run("--membership", "maybe"));
    assertTrue(stderr().startsWith("error: --membership must be on or off, not 'maybe'"), stderr());
    assertEquals(0, run("--seeds", "2", "--first-seed", "7", "--membership", "on", "--threads", "1"));
    assertTrue(stdout().matches("seeds=2 events=\\d+ violations=0\n"), stdout());
  }

  @Test
  void processFaultsAreOffUnlessAskedForAndNeedARuntimeMode() {
    assertTrue(SimulateMain.parse(new String[] {"--process-faults", "on"}).processFaults());
    assertEquals(false, SimulateMain.parse(new String[] {"--seeds", "1"}).processFaults());
    assertEquals(2, run("--process-faults", "yes"));
    assertTrue(stderr().startsWith("error: --process-faults must be on or off, not 'yes'"), stderr());
    assertEquals(2, run("--process-faults", "on", "--mode", "core"));
    assertTrue(stderr().contains("error: --process-faults needs a runtime mode"), stderr());
    assertEquals(0, run("--seeds", "2", "--first-seed", "7", "--process-faults", "on", "--threads", "1"));
    assertTrue(stdout().matches("seeds=2 events=\\d+ violations=0\n"), stdout());
  }

  /** The replay line a lone-voter seed prints ({@code --nodes 1 ... --membership on}) is one the command line takes. */
  @Test
  void aLoneVoterRunsOnlyWithMembershipChanges() {
    assertEquals(1, SimulateMain.parse(new String[] {"--nodes", "1", "--membership", "on"}).nodes());
    assertEquals(2, run("--nodes", "1"));
    assertTrue(stderr().startsWith("error: --nodes 1 needs --membership on"), stderr());
    String replay = Simulation.runWithProcessFaults(930_074, 1, 100, Simulation.Mode.RUNTIME, true).replay();
    assertEquals("pontoon-simulate --seeds 1 --first-seed 930074 --nodes 1 --mode runtime --membership on"
        + " --process-faults on", replay);
    assertEquals(0, run(replay.substring("pontoon-simulate ".length()).split(" ")));
  }

  @Test
  void unsupportedClusterSizeIsRejectedWithUsage() {
    assertEquals(2, run("--nodes", "4"));
    assertTrue(stderr().startsWith("error: --nodes must be 1, 3, 5 or mixed, not '4'"), stderr());
    assertTrue(stderr().contains("usage: pontoon-simulate"));
    assertEquals("", stdout());
  }

  @Test
  void unknownOptionIsRejectedWithUsage() {
    assertEquals(2, run("--seed", "5"));
    assertTrue(stderr().startsWith("error: unknown option '--seed'"), stderr());
  }

  @Test
  void missingValueIsRejected() {
    assertEquals(2, run("--seeds"));
    assertTrue(stderr().startsWith("error: --seeds needs a value"), stderr());
  }

  @Test
  void nonNumericAndNonPositiveCountsAreRejected() {
    assertEquals(2, run("--seeds", "many"));
    assertTrue(stderr().startsWith("error: --seeds must be a whole number, not 'many'"), stderr());
    assertEquals(2, run("--events", "0"));
    assertTrue(stderr().contains("error: --events must be positive, not 0"), stderr());
  }
}
