package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.storage.rocksdb.CrashWorkload.Mix;
import dev.pontoon.raft.storage.segment.SegmentLogStore;
import dev.pontoon.raft.storage.segment.SegmentLogStoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a machine's crash (a power loss) leaves of a {@link SegmentLogStore}, which a killed
 * process ({@link CrashRecoveryTest}) cannot show: pages written after the last sync reach the
 * disk in any order, or not at all.
 *
 * <p>Each trial runs the {@link CrashWorkload} on the store, keeps a copy of the directory after
 * every {@code sync()}, stops at a random write, and builds the disk a power loss could leave: the
 * directory as it is (renames are synced when made), every segment but the last as written (each
 * was synced when it was sealed), and the last segment with each 4 KiB page taken at random from
 * the copy after the last sync (or zeros, for a segment begun since) or from what was written
 * after it. The store must open on that disk and hold exactly the state after some prefix of the
 * writes, at or after the last sync. Trials continue on the recovered directory, so old records
 * left behind by lost writes are in the files the next trial writes over.
 */
class SegmentPowerLossTest {
  private static final int PAGE = 4096;

  @TempDir Path dir;

  private SegmentLogStore open() {
    return SegmentLogStore.open(
        SegmentLogStoreConfig.of(dir, ClusterId.of("power-loss"), NodeId.of("n1")).withSegmentBytes(64 << 10));
  }

  @Test
  void afterAPowerLossTheStoreHoldsAPrefixOfTheWritesAndEverySyncedOne() throws IOException {
    lose(Mix.ALL, 150, 0x90A3_0001L);
  }

  @Test
  void afterAPowerLossInTheMiddleOfConflictsTheOldOrTheNewSuffixSurvives() throws IOException {
    lose(Mix.CONFLICTS, 80, 0x90A3_0002L);
  }

  @Test
  @Tag("soak")
  void tenThousandPowerLosses() throws IOException {
    lose(Mix.ALL, 10_000, 0x90A3_0003L);
  }

  private void lose(Mix mix, int trials, long seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    LogImage expected = LogImage.empty();
    for (int trial = 0; trial < trials; trial++) {
      long workloadSeed = random.nextLong();
      int writes = random.nextInt(1, 300);
      CrashWorkload workload = new CrashWorkload(workloadSeed, mix, expected);
      List<CrashWorkload.Op> ops = new ArrayList<>();
      Map<String, byte[]> synced;
      int syncedOps = 0;
      try (SegmentLogStore store = open()) {
        assertEquals(LogImage.of(store).toString(), expected.toString(), "trial " + trial + " opens where the last ended");
        // The open syncs what it recovered and the segment it writes on.
        synced = read();
        for (int n = 1; n <= writes; n++) {
          CrashWorkload.Op op = workload.next();
          ops.add(op);
          CrashWorkload.applyTo(store, op);
          if (op instanceof CrashWorkload.Sync) {
            synced = read();
            syncedOps = n;
          }
        }
      }
      powerLoss(synced, random);
      LogImage recovered;
      try (SegmentLogStore store = open()) {
        recovered = LogImage.of(store);
      } catch (RuntimeException e) {
        throw new AssertionError("trial " + trial + " (seed " + workloadSeed + ", " + writes + " writes, synced after "
            + syncedOps + "): the store did not open after the power loss", e);
      }
      expected = matchPrefix(expected, mix, workloadSeed, ops, syncedOps, recovered,
          "trial " + trial + " (seed " + workloadSeed + ")");
    }
  }

  /** The state after the prefix of {@code ops} that {@code recovered} equals, at or after {@code syncedOps}. */
  private static LogImage matchPrefix(LogImage start, Mix mix, long seed, List<CrashWorkload.Op> ops, int syncedOps,
      LogImage recovered, String which) {
    CrashWorkload replay = new CrashWorkload(seed, mix, start);
    for (int n = 0; n <= ops.size(); n++) {
      if (n >= syncedOps && replay.model().sameAs(recovered)) {
        return recovered;
      }
      if (n < ops.size()) {
        replay.next();
      }
    }
    return fail(which + ": the recovered store is not the state after any prefix of the writes from the sync after write "
        + syncedOps + " to write " + ops.size() + ".\n  recovered: " + recovered + "\n  at the end: " + replay.model());
  }

  /** The segment files' contents (spares, which a background thread fills meanwhile, are not needed). */
  private Map<String, byte[]> read() throws IOException {
    Map<String, byte[]> files = new HashMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : (Iterable<Path>) list::iterator) {
        if (file.getFileName().toString().startsWith("segment-")) {
          files.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
      }
    }
    return files;
  }

  /** Rewrites the last segment as a power loss after the copy {@code synced} could leave it. */
  private void powerLoss(Map<String, byte[]> synced, SplittableRandom random) throws IOException {
    TreeMap<String, Path> segments = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.filter(f -> f.getFileName().toString().startsWith("segment-"))
          .forEach(f -> segments.put(f.getFileName().toString(), f));
    }
    if (segments.isEmpty()) {
      return;
    }
    Path last = segments.lastEntry().getValue();
    byte[] written = Files.readAllBytes(last);
    byte[] before = synced.get(last.getFileName().toString());
    if (before == null || before.length != written.length) {
      before = new byte[written.length];
    }
    byte[] disk = Arrays.copyOf(written, written.length);
    for (int page = 0; page < written.length; page += PAGE) {
      if (random.nextBoolean()) {
        int end = Math.min(written.length, page + PAGE);
        System.arraycopy(before, page, disk, page, end - page);
      }
    }
    Files.write(last, disk);
  }
}
