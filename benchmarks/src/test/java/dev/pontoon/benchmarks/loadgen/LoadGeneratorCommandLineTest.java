package dev.pontoon.benchmarks.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tool's answer to a command line it will not run: the error naming the flag and the usage on
 * stderr, nothing on stdout, status 2; and {@code --help}: the usage on stdout, status 0.
 */
class LoadGeneratorCommandLineTest {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String line) throws InterruptedException {
    String[] args = line.isEmpty() ? new String[0] : line.split(" ");
    return LoadGenerator.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "--in-process --nodes 4", "--in-process --concurrency 0", "--in-process --value-size x",
      "--in-process --warmup-s", "--in-process --duration-s 0", "--in-process --fast", "--target localhost:8081",
      "--target http://h:1 --in-process", "--target http://h:1 --nodes 5"})
  void badFlagPrintsItsErrorAndTheUsageAndExitsTwo(String line) throws InterruptedException {
    assertEquals(2, run(line));
    String[] lines = err.toString(StandardCharsets.UTF_8).split("\\R", 2);
    assertTrue(lines[0].startsWith("pontoon-load: error: "), lines[0]);
    assertEquals(LoadOptions.USAGE, lines[1].strip());
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void errorNamesTheFlagAndItsValue() throws InterruptedException {
    assertEquals(2, run("--in-process --concurrency 0"));
    assertTrue(err.toString(StandardCharsets.UTF_8)
        .startsWith("pontoon-load: error: --concurrency (0) must be in [1, 100000]" + System.lineSeparator()));
  }

  @Test
  void helpPrintsTheUsageOnStdoutAndExitsZero() throws InterruptedException {
    assertEquals(0, run("--in-process --help"));
    assertEquals(LoadOptions.USAGE + System.lineSeparator(), out.toString(StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }
}
