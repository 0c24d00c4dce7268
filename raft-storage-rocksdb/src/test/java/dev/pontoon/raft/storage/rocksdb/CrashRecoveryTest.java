package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.segment.SegmentLogStore;
import dev.pontoon.raft.storage.segment.SegmentLogStoreConfig;
import dev.pontoon.raft.storage.rocksdb.CrashWorkload.Mix;
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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a real process with SIGKILL while it writes to a {@link RocksDbLogStore} or a
 * {@link SegmentLogStore}, reopens the
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
    return RocksDbLogStoreConfig.of(dir, ClusterId.of("crash-test"), NodeId.of("n1")).withWriteBufferBytes(256 << 10);
  }

  /** The stores under test, by the name the child is given. */
  enum Store {
    ROCKSDB,
    /** With the smallest segments, so that kills land in rolls and in drops of compacted segments. */
    SEGMENT;

    LogStore open(Path dir) {
      return switch (this) {
        case ROCKSDB -> RocksDbLogStore.open(config(dir));
        case SEGMENT -> SegmentLogStore.open(
            SegmentLogStoreConfig.of(dir, ClusterId.of("crash-test"), NodeId.of("n1")).withSegmentBytes(64 << 10));
      };
    }
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  void everySyncedWriteSurvivesSigkillAndNothingIsResurrected(Store store) throws Exception {
    assertTrue(killAndRecover(store, Mix.ALL, 24, 0x5EED_0001L, 500) >= 20);
  }

  /**
   * The child only replaces suffixes (new term, truncate, append entries whose payload names the
   * new term), so most kills land between or inside truncations: the recovered log holds the old
   * suffix or the new one, never entries of both past the truncation point.
   */
  @ParameterizedTest
  @EnumSource(Store.class)
  void truncationInterruptedByAKillLeavesTheOldOrTheNewSuffix(Store store) throws Exception {
    assertTrue(killAndRecover(store, Mix.CONFLICTS, 8, 0x5EED_0003L, 300) >= 8);
  }

  @ParameterizedTest
  @EnumSource(Store.class)
  @Tag("soak")
  void everySyncedWriteSurvivesFiveHundredSigkills(Store store) throws Exception {
    assertTrue(killAndRecover(store, Mix.ALL, 500, 0x5EED_0002L, 1000) >= 500);
  }

  /** Runs {@code kills} child processes in turn on one directory; returns the kills checked. */
  private int killAndRecover(Store kind, Mix mix, int kills, long seed, int maxOpsBeforeKill) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    LogImage expected = LogImage.empty();
    int pastReport = 0;
    for (int kill = 0; kill < kills; kill++) {
      long childSeed = random.nextLong();
      long killAtOp = random.nextLong(1, maxOpsBeforeKill + 1);
      Report reported = runChildAndKill(kind, mix, childSeed, killAtOp);
      LogImage recovered;
      try (LogStore store = kind.open(dir)) {
        recovered = LogImage.of(store);
      }
      Match match = matchRecovered(new CrashWorkload(childSeed, mix, expected), reported, recovered,
          "kill " + kill + " (child seed " + childSeed + ")");
      pastReport += match.opsPastReport > 0 ? 1 : 0;
      expected = recovered;
    }
    log.info("{} {}: {} kills checked; in {} of them the store recovered writes made after the last reported sync",
        kind, mix, kills, pastReport);
    return kills;
  }

  private record Match(long opsPastReport) {}

  /** The last durable point the child reported: writes 1..ops, with its last index and term. */
  private record Report(long ops, long lastIndex, long currentTerm) {
    static final Report NONE = new Report(0, -1, -1);
  }

  /**
   * Replays the child's workload from the state it started in and finds the recovered state among
   * the states after each write, from the last reported sync on.
   */
  private static Match matchRecovered(CrashWorkload replay, Report reported, LogImage recovered, String which) {
    for (long ops = 0; ops < reported.ops(); ops++) {
      replay.next();
    }
    LogImage atReport = replay.model().copy();
    if (reported != Report.NONE && (atReport.lastIndex() != reported.lastIndex()
        || atReport.hardState.currentTerm() != reported.currentTerm())) {
      fail(which + ": the replay disagrees with the child at write " + reported.ops() + ": " + atReport + " vs "
          + reported);
    }
    for (long extra = 0; extra <= OPS_AFTER_REPORT; extra++) {
      if (replay.model().sameAs(recovered)) {
        return new Match(extra);
      }
      replay.next();
    }
    return fail(which + ": the recovered store is not the state after any prefix of the writes made since the "
        + "sync reported after write " + reported.ops() + ".\n  recovered: " + recovered + "\n  at report: " + atReport);
  }

  /**
   * Starts a child and kills it with SIGKILL as soon as it announces write {@code killAtOp}, so
   * that the kill lands just before, during or just after that write; returns the last sync the
   * child reported.
   */
  private Report runChildAndKill(Store kind, Mix mix, long childSeed, long killAtOp) throws Exception {
    Path stderr = Files.createTempFile(dir.getParent(), "crash-child", ".err");
    Process child = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
        "-cp", System.getProperty("java.class.path"),
        CrashChild.class.getName(), dir.toString(), Long.toString(childSeed), mix.name(), kind.name()))
        .redirectError(stderr.toFile())
        .start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      Report reported = Report.NONE;
      String line;
      // Blocking reads of the child's announcements; "synced" comes only after sync() returned.
      while ((line = out.readLine()) != null && !line.equals("op " + killAtOp)) {
        reported = parse(line, reported);
      }
      if (line == null) {
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

  private static Report parse(String line, Report previous) throws IOException {
    String[] words = line.split(" ");
    if (words[0].equals("opened") || words[0].equals("op")) {
      return previous;
    }
    if (words[0].equals("synced") && words.length == 4) {
      return new Report(Long.parseLong(words[1]), Long.parseLong(words[2]), Long.parseLong(words[3]));
    }
    throw new IOException("unexpected line from the crash child: " + line);
  }
}
