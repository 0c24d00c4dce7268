package dev.pontoon.raft.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.log.Snapshot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a process with SIGKILL while it saves snapshots: after each kill the store opens, and its
 * latest snapshot is intact and at least as new as the last one whose save returned.
 */
class SnapshotCrashTest {
  @TempDir Path dir;

  @Test
  void latestSnapshotSurvivesSigkillDuringSaves() throws Exception {
    SplittableRandom random = new SplittableRandom(0x5A7E);
    Path store = dir.resolve("snapshots");
    for (int kill = 0; kill < 6; kill++) {
      long reported = runChildAndKill(store, random.nextInt(1, 40));
      try (FileSnapshotStore reopened = FileSnapshotStore.open(store)) {
        Snapshot latest = reopened.latest().orElseThrow(() -> new AssertionError("no snapshot after kill"));
        long index = latest.meta().lastIncludedIndex();
        assertTrue(index >= reported, "snapshot " + index + " is older than the reported save of " + reported);
        assertEquals(SnapshotCrashChild.snapshot(index), latest, "snapshot " + index + " has other content than written");
      }
    }
  }

  private static long runChildAndKill(Path store, int saves) throws Exception {
    Process child = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
        "-cp", System.getProperty("java.class.path"),
        SnapshotCrashChild.class.getName(), store.toString()))
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      long reported = 0;
      String line;
      for (int seen = 0; seen < saves; seen++) {
        line = out.readLine();
        if (line == null) {
          fail("the snapshot child exited early with " + child.waitFor());
        }
        reported = Long.parseLong(line.substring("saved ".length()));
      }
      // SIGKILL without closing our end of the pipe (Process.destroyForcibly() would close it).
      child.toHandle().destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die after SIGKILL");
      while ((line = out.readLine()) != null) {
        reported = Long.parseLong(line.substring("saved ".length()));
      }
      return reported;
    } finally {
      child.destroyForcibly();
    }
  }
}
