package dev.pontoon.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pontoon-demo} as a user runs it: a process, its stdout, stderr and exit status. */
class PontoonDemoLauncherTest {
  private record Run(int exit, String stdout, String stderr) {}

  private static Run demo(Path dir, String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // The launcher's class path: without the test classes, whose logging settings are quieter than the shipped ones.
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes")).collect(Collectors.joining(File.pathSeparator));
    List<String> command = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", classPath,
        TeachingDemo.class.getName()));
    command.addAll(List.of(args));
    Path out = dir.resolve("stdout");
    Path err = dir.resolve("stderr");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the demo ends");
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
  }

  /** The specification asks for between 3 and 5 nodes (inclusive): other counts are refused, clearly, with exit 2. */
  @Test
  void nodeCountsOutside3To5AreRefusedWithAClearError(@TempDir Path dir) throws Exception {
    for (String bad : List.of("2", "6", "seven")) {
      Run run = demo(dir, "--nodes", bad);
      assertEquals(2, run.exit(), run.stdout() + run.stderr());
      assertTrue(run.stderr().startsWith("pontoon-demo: --nodes must be between 3 and 5 (inclusive), not "),
          run.stderr());
      assertTrue(run.stderr().contains("usage: pontoon-demo [--nodes N] [--log FILE]"), run.stderr());
      assertEquals("", run.stdout());
    }
  }

  /**
   * On a terminal the narration stands alone: stdout holds only narration lines, and the nodes'
   * own log lines are off (stderr stays empty) unless {@code --log FILE} asks for them there.
   */
  @Test
  void theNarrationIsAloneOnTheTerminalAndNodeLogsGoToTheLogFileOnlyWhenAsked(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("nodes.log");
    Run run = demo(dir, "--nodes", "3", "--log", log.toString());
    assertEquals(0, run.exit(), run.stdout() + run.stderr());
    assertEquals("", run.stderr(), "the nodes' own log lines are not on the terminal");
    for (String line : run.stdout().split("\n")) {
      assertTrue(line.matches("\\[ *\\d+\\.\\d\\ds\\] .*"), "a narration line: '" + line + "'");
    }
    assertTrue(run.stdout().contains("[N1, N2, N3] start as followers in term 0"), run.stdout());
    assertTrue(Files.readString(log).contains("N1 recovered: term 0"), "the nodes' own lines went to the file");
  }
}
