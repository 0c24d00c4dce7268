package dev.pontoon.benchmarks.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code bin/large-writes} refuses a command line it will not run before it writes anything: the
 * error naming the argument on stderr, then the usage, nothing on stdout, status 2.
 */
class LargeWritesScriptTest {

  private static final Path SCRIPT = Path.of("bin", "large-writes");

  @TempDir Path tmp;

  private record Outcome(int status, String out, String err) {}

  private Outcome run(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    // A bad line must be refused before dd writes its gigabyte here.
    builder.environment().put("TMPDIR", tmp.toString());
    Path out = tmp.resolve("out");
    Path err = tmp.resolve("err");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the script did not end");
    return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "abc|''|VALUE_SIZE must be a whole number: 'abc'",
      "16384|-5|CONCURRENCY must be a whole number: '-5'",
      "16384|1.5|CONCURRENCY must be a whole number: '1.5'"})
  void aBadArgumentIsNamedWithTheUsageAndExitsTwo(String valueSize, String concurrency, String error)
      throws Exception {
    Outcome outcome = concurrency.isEmpty() ? run(Map.of(), valueSize) : run(Map.of(), valueSize, concurrency);
    assertRefused(outcome, error);
  }

  @Test
  void aMeasuredWindowTooShortToReadTwiceIsRefused() throws Exception {
    assertRefused(run(Map.of("MEASURE_S", "2")),
        "MEASURE_S must be at least 3 (the written bytes are read after the 1st and the (MEASURE_S-1)th second): 2");
  }

  @Test
  void aLogStoreOtherThanRocksdbOrSegmentIsRefused() throws Exception {
    assertRefused(run(Map.of("LOG_STORE", "leveldb")), "LOG_STORE must be rocksdb or segment: 'leveldb'");
  }

  @Test
  void aThirdArgumentIsRefused() throws Exception {
    assertRefused(run(Map.of(), "16384", "128", "extra"), "at most two arguments, got 3: 16384 128 extra");
  }

  @Test
  void helpPrintsTheUsageOnStdoutAndExitsZero() throws Exception {
    Outcome outcome = run(Map.of(), "--help");
    assertEquals(0, outcome.status());
    assertTrue(outcome.out().startsWith("usage: benchmarks/bin/large-writes [VALUE_SIZE] [CONCURRENCY]"), outcome.out());
    assertEquals("", outcome.err());
  }

  private void assertRefused(Outcome outcome, String error) throws IOException {
    assertEquals(2, outcome.status(), outcome.err());
    String[] lines = outcome.err().split("\\R");
    assertEquals("large-writes: error: " + error, lines[0]);
    assertTrue(lines[1].startsWith("usage: benchmarks/bin/large-writes"), lines[1]);
    assertEquals("", outcome.out());
    try (var left = Files.list(tmp)) {
      assertEquals(List.of("err", "out"), left.map(p -> p.getFileName().toString()).sorted().toList(),
          "nothing but the captured output is left in TMPDIR");
    }
  }
}
