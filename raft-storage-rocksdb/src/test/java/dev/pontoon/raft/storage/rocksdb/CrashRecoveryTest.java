package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a real process with SIGKILL while it writes to a {@link RocksDbLogStore}, reopens the
 * directory and checks what survived: the recovered store must be exactly the state after some
 * prefix of the writes made, at or after the last {@code sync()} the child reported. That one
 * check covers every rule of the store's durability contract at once:
 *
 * <ul>
 *   <li>every entry reported durable is present, intact (checksums pass) and equal to what the
 *       child wrote (derived from index and term);
 *   <li>no entry past a gap, no later write without an earlier one (call order);
 *   <li>the hard state is never older than reported;
 *   <li>a truncation interrupted by the kill leaves the old suffix or the new one, never a mix.
 * </ul>
 *
 * <p>Each kill continues the same directory, so recovery of an already recovered store is
 * exercised as well.
 */
class CrashRecoveryTest {
  private static final Logger log = LoggerFactory.getLogger(CrashRecoveryTest.class);
  /** Writes the child may have made after the sync it reported last, before the kill landed. */
  private static final int OPS_AFTER_REPORT = 400;

  @TempDir Path dir;

  static RocksDbLogStoreConfig config(Path dir) {
    return RocksDbLogStoreConfig.of(dir, "crash-test", NodeId.of("n1")).withWriteBufferBytes(256 << 10);
  }

  @Test
  void everySyncedWriteSurvivesSigkillAndNothingIsResurrected() throws Exception {
    assertTrue(killAndRecover(24, 0x5EED_0001L, 150) >= 20);
  }

  @Test
  @Tag("soak")
  void everySyncedWriteSurvivesFiveHundredSigkills() throws Exception {
    assertTrue(killAndRecover(500, 0x5EED_0002L, 400) >= 500);
  }

  /** Runs {@code kills} child processes in turn on one directory; returns the kills checked. */
  private int killAndRecover(int kills, long seed, int maxSyncsBeforeKill) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    LogImage expected = LogImage.empty();
    int pastReport = 0;
    for (int kill = 0; kill < kills; kill++) {
      long childSeed = random.nextLong();
      int syncsBeforeKill = random.nextInt(maxSyncsBeforeKill + 1);
      long reported = runChildAndKill(childSeed, syncsBeforeKill);
      LogImage recovered;
      try (RocksDbLogStore store = RocksDbLogStore.open(config(dir))) {
        recovered = LogImage.of(store);
      }
      Match match = matchRecovered(expected, childSeed, reported, recovered, kill);
      pastReport += match.opsPastReport > 0 ? 1 : 0;
      expected = recovered;
    }
    log.info("{} kills checked; in {} of them the store recovered writes made after the last reported sync", kills, pastReport);
    return kills;
  }

  private record Match(long opsPastReport) {}

  /**
   * Replays the child's workload from the state it started in and finds the recovered state among
   * the states after each write, from the last reported sync on.
   */
  private static Match matchRecovered(LogImage start, long childSeed, long reported, LogImage recovered, int kill) {
    CrashWorkload replay = new CrashWorkload(childSeed, start);
    long ops = 0;
    while (ops < reported) {
      replay.next();
      ops++;
    }
    LogImage atReport = replay.model().copy();
    for (long extra = 0; extra <= OPS_AFTER_REPORT; extra++) {
      if (replay.model().sameAs(recovered)) {
        return new Match(extra);
      }
      replay.next();
    }
    return fail("kill " + kill + " (child seed " + childSeed + "): the recovered store is not the state after any "
        + "prefix of the writes made since the sync reported after write " + reported + ".\n  recovered: " + recovered
        + "\n  at report: " + atReport);
  }

  /** Starts a child, waits for {@code syncs} reported syncs, kills it; returns the last report. */
  private long runChildAndKill(long childSeed, int syncs) throws Exception {
    Path stderr = Files.createTempFile(dir.getParent(), "crash-child", ".err");
    Process child = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
        "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString(), Long.toString(childSeed)))
        .redirectError(stderr.toFile())
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      long reported = 0;
      int seen = -1;
      String line;
      // Blocking reads: each line is printed only after the child's sync() returned.
      while (seen < syncs && (line = out.readLine()) != null) {
        reported = parse(line, reported);
        seen++;
      }
      if (seen < syncs) {
        fail("the crash child exited early with " + child.waitFor() + ": " + Files.readString(stderr));
      }
      // SIGKILL through the process handle: Process.destroyForcibly() sends the same signal but
      // also closes our end of the pipe, which would lose the reports still in it.
      child.toHandle().destroyForcibly();
      if (!child.waitFor(30, TimeUnit.SECONDS)) {
        fail("the crash child did not die after SIGKILL");
      }
      // Lines already in the pipe were printed before the kill: they are reports too.
      while ((line = out.readLine()) != null) {
        reported = parse(line, reported);
      }
      return reported;
    } finally {
      child.destroyForcibly();
      Files.deleteIfExists(stderr);
    }
  }

  private static long parse(String line, long previous) throws IOException {
    if (line.equals("opened")) {
      return previous;
    }
    if (line.startsWith("synced ")) {
      return Long.parseLong(line.substring("synced ".length()));
    }
    throw new IOException("unexpected line from the crash child: " + line);
  }
}
