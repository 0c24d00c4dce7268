package dev.pontoon.benchmarks.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real, short {@code --in-process} run in its own JVM, as {@code pontoon-load} starts it: three
 * nodes on Netty and each durable log store, 1 s of warm-up and 2 s measured. Checks the contract of the output,
 * not the speed: stdout holds exactly the result line (nothing a library printed), the line has the
 * documented form, syncs were counted, and stderr shows the progress of every second.
 */
class InProcessRunTest {

  @ParameterizedTest
  @ValueSource(strings = {"rocksdb", "segment"})
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void shortInProcessRunPrintsOnlyTheResultLineOnStdout(String logStore, @TempDir Path dir) throws Exception {
    Path stdout = dir.resolve("stdout");
    Path stderr = dir.resolve("stderr");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        LoadGenerator.class.getName(), "--in-process", "--log-store", logStore, "--concurrency", "8", "--warmup-s", "1",
        "--duration-s", "2")
        .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    assertTrue(process.waitFor(150, TimeUnit.SECONDS), "the run did not end");
    String errors = Files.readString(stderr, StandardCharsets.UTF_8);
    assertEquals(0, process.exitValue(), errors);

    List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
    assertEquals(1, lines.size(), "stdout: " + lines + File.separator + errors);
    String line = lines.get(0);
    assertTrue(line.matches(LoadResultTest.LINE), line);
    Matcher m = Pattern.compile("^ops=(\\d+) .* syncs/op=(\\d+\\.\\d{3}) cpu-us/op=(\\d+\\.\\d)$").matcher(line);
    assertTrue(m.matches(), "in-process runs report syncs and CPU: " + line);
    assertTrue(Long.parseLong(m.group(1)) > 0, line);
    assertTrue(Double.parseDouble(m.group(2)) > 0, line);
    assertTrue(errors.contains("warm-up 1/1 s") && errors.contains("measured 2/2 s"), errors);
    assertTrue(errors.contains(logStore.equals("segment") ? "segment-file logs" : "RocksDB logs"), errors);
  }
}
