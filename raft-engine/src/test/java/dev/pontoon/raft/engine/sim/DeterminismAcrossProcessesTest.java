package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A seed gives the same run in any JVM: nothing in the simulation may depend on identity hash
 * codes, iteration order of identity-keyed maps, or anything else outside the seed. The other
 * process forces every identity hash code to the same constant, which changes any such order.
 */
class DeterminismAcrossProcessesTest {

  @Test
  void sameSeedGivesTheSameTraceHashInAnotherProcess() throws IOException, InterruptedException {
    long here = Simulation.run(4242, 5, 10_000).traceHash();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(List.of(java.toString(), "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=2",
        "-cp", System.getProperty("java.class.path"), TraceHashMain.class.getName(), "4242", "5"))
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(2, TimeUnit.MINUTES);
    assertEquals(0, p.exitValue(), "the other process failed: " + out);
    assertEquals(Long.toString(here), out);
  }
}
