package dev.pontoon.raft.storage.segment;

import static dev.pontoon.raft.storage.segment.SegmentEntries.PAYLOAD;
import static dev.pontoon.raft.storage.segment.SegmentEntries.all;
import static dev.pontoon.raft.storage.segment.SegmentEntries.entries;
import static dev.pontoon.raft.storage.segment.SegmentEntries.entry;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.StorageException;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStoreConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link SegmentLogStore#open} recovers from files damaged or left behind in the ways a crash
 * or a failing disk leaves them: torn writes are dropped, damage to synced data refuses the open,
 * and records from an earlier use of the same bytes are never taken for new ones.
 */
class SegmentRecoveryTest {
  private static final long SMALL_SEGMENT = SegmentLogStoreConfig.MIN_SEGMENT_BYTES;

  @TempDir Path dir;

  private SegmentLogStore open() {
    return open(NodeId.of("n1"));
  }

  private SegmentLogStore open(NodeId node) {
    return SegmentLogStore.open(
        SegmentLogStoreConfig.of(dir, ClusterId.of("c1"), node).withSegmentBytes(SMALL_SEGMENT));
  }

  /** Appends each entry of {@code [from, to]} as an append of its own. */
  private static void appendOneByOne(SegmentLogStore store, long from, long to, long term) {
    SegmentEntries.appendOneByOne(store, from, to, term, false);
  }

  private Path onlySegment() throws IOException {
    List<Path> segments = SegmentImage.segments(dir);
    assertEquals(1, segments.size(), "segments: " + segments);
    return segments.get(0);
  }

  @Test
  void anAppendTornInTheMiddleIsDroppedWhole() throws IOException {
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 10, 1));
      store.sync();
      store.append(entries(11, 20, 1));
    }
    Path segment = onlySegment();
    SegmentImage.flipByte(segment, SegmentImage.read(segment).entry(15).offset() + Records.HEADER + 20);

    try (SegmentLogStore store = open()) {
      assertEquals(entries(1, 10, 1), all(store), "entries 11-14 were written whole, but their append was not");
    }
  }

  @Test
  void recordsOfAnEarlierRunAfterTheRecoveredEndAreNeverReplayed() throws IOException {
    try (SegmentLogStore store = open()) {
      appendOneByOne(store, 1, 5, 1);
      store.sync();
      appendOneByOne(store, 6, 9, 1);
    }
    Path segment = onlySegment();
    SegmentImage before = SegmentImage.read(segment);
    int sixAt = before.entry(6).offset();
    int sevenAt = before.entry(7).offset();
    SegmentImage.flipByte(segment, sixAt + Records.HEADER + 20);

    // The next run writes its reopen record where 6 was, then a 6' that ends exactly where the old
    // 7 begins: the old 7, 8 and 9 are sound records with the right indexes and terms behind it.
    int reopenBytes = Records.HEADER + 8;
    int payload = sevenAt - sixAt - reopenBytes - Records.HEADER - Records.ENTRY_FIXED;
    LogEntry sixPrime = entry(6, 1, payload);
    try (SegmentLogStore store = open()) {
      assertEquals(5, store.lastIndex());
      store.append(List.of(sixPrime));
      store.sync();
    }
    assertEquals(sevenAt, SegmentImage.read(segment).end, "6' must end where the old 7 begins for this test to bite");

    try (SegmentLogStore store = open()) {
      List<LogEntry> expected = new ArrayList<>(entries(1, 5, 1));
      expected.add(sixPrime);
      assertEquals(expected, all(store));
    }
  }

  @Test
  void damageToARecordThatLaterRecordsSayWasSyncedRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      appendOneByOne(store, 1, 5, 1);
      store.sync();
      appendOneByOne(store, 6, 6, 1);
      store.sync();
      appendOneByOne(store, 7, 7, 1);
      store.sync();
    }
    Path segment = onlySegment();
    SegmentImage.flipByte(segment, SegmentImage.read(segment).entry(6).offset() + Records.HEADER + 20);

    CorruptedLogException e = assertThrows(CorruptedLogException.class, this::open);
    assertAll(
        () -> assertTrue(e.getMessage().contains("says it was synced"), e.getMessage()),
        () -> assertTrue(e.getMessage().contains(dir.toString()), e.getMessage()));
  }

  @Test
  void damageInASealedSegmentRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 300, 1));
      store.append(entries(301, 600, 1));
      store.sync();
    }
    List<Path> segments = SegmentImage.segments(dir);
    assertTrue(segments.size() >= 2, "the test needs a sealed segment: " + segments);
    SegmentImage.flipByte(segments.get(0), SegmentImage.read(segments.get(0)).entry(100).offset() + 40);

    CorruptedLogException e = assertThrows(CorruptedLogException.class, this::open);
    assertTrue(e.getMessage().contains("segment 1 at offset"), e.getMessage());
  }

  @Test
  void aMissingSegmentRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      for (long i = 1; i <= 1200; i += 300) {
        store.append(entries(i, i + 299, 1));
      }
      store.sync();
    }
    List<Path> segments = SegmentImage.segments(dir);
    assertTrue(segments.size() >= 3, "segments: " + segments);
    Files.delete(segments.get(1));

    CorruptedLogException e = assertThrows(CorruptedLogException.class, this::open);
    assertTrue(e.getMessage().contains("missing segment 2"), e.getMessage());
  }

  @Test
  void aRecordOfUnknownTypeRefusesTheOpenAndNamesIt() throws IOException {
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 3, 1));
      store.sync();
    }
    Path segment = onlySegment();
    SegmentImage image = SegmentImage.read(segment);
    long stamp = image.records.get(image.records.size() - 1).stampAfter();
    ByteBuffer record = ByteBuffer.allocate(64);
    int start = Records.begin(record, stamp, image.end, (byte) 99);
    record.putLong(42);
    Records.finish(record, start, new CRC32C());
    record.flip();
    SegmentImage.write(segment, image.end, record);

    CorruptedLogException e = assertThrows(CorruptedLogException.class, this::open);
    assertTrue(e.getMessage().contains("record type 99 is unknown"), e.getMessage());
  }

  @Test
  void anEntryThatFailsItsChecksumOnReadRaisesCorruptedLog() throws IOException {
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 3, 1));
      store.sync();
      Path segment = onlySegment();
      SegmentImage.flipByte(segment, SegmentImage.read(segment).entry(2).offset() + Records.HEADER + 30);

      assertEquals(entries(1, 1, 1), store.entries(1, 2, Long.MAX_VALUE));
      CorruptedLogException e = assertThrows(CorruptedLogException.class, () -> store.entries(1, 4, Long.MAX_VALUE));
      assertTrue(e.getMessage().contains("log entry 2"), e.getMessage());
    }
  }

  @Test
  void anInterruptedThreadReadsWritesAndSyncsWithoutBreakingTheStore() {
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 3, 1));
      store.sync();
      try {
        Thread.currentThread().interrupt();
        assertEquals(entries(1, 3, 1), all(store), "a read on an interrupted thread");
        store.append(entries(4, 5, 1));
        store.sync();
        assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is kept");
      } finally {
        Thread.interrupted();
      }
      store.append(entries(6, 6, 1));
      store.sync();
      assertEquals(entries(1, 6, 1), all(store));
    }
    try (SegmentLogStore store = open()) {
      assertEquals(entries(1, 6, 1), all(store));
    }
  }

  /**
   * A run that crashed inside a seal, after its end record was written and before its sync, leaves
   * a segment that reads as sealed from the page cache but is not on the disk. The next open must
   * make it durable before the log goes on in a new segment: else a power loss later takes that
   * segment's tail and end record, and the store, holding synced writes after it, cannot open.
   */
  @Test
  void segmentsFoundSealedAtOpenAreForcedBeforeTheLogGoesOn() throws IOException {
    try (SegmentLogStore store = open()) {
      for (long i = 1; SegmentImage.segments(dir).size() < 2; i++) {
        store.append(entries(i, i, 1));
      }
    }
    List<Path> segments = SegmentImage.segments(dir);
    Files.delete(segments.get(1)); // the crash came before the next segment was made
    List<Path> forced = new java.util.concurrent.CopyOnWriteArrayList<>();
    Segment.forcedForTests = forced::add;
    try (SegmentLogStore store = open()) {
      assertEquals(segments.get(0), forced.isEmpty() ? null : forced.get(0),
          "the sealed segment is synced first; synced: " + forced);
    } finally {
      Segment.forcedForTests = path -> { };
    }
  }

  @Test
  void aDirectoryOfAnotherNodeIsRefusedNamingBoth() {
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 1, 1));
      store.sync();
    }
    StorageException e = assertThrows(StorageException.class, () -> open(NodeId.of("n2")));
    assertAll(
        () -> assertTrue(e.getMessage().contains("node n1"), e.getMessage()),
        () -> assertTrue(e.getMessage().contains("node n2"), e.getMessage()));
  }

  @Test
  void aRocksDbLogDirectoryIsRefusedRatherThanTakenForANewLog() {
    try (RocksDbLogStore rocks = RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")))) {
      rocks.saveHardState(new HardState(5, NodeId.of("n2")));
      rocks.append(entries(1, 3, 5));
      rocks.sync();
    }
    StorageException e = assertThrows(StorageException.class, this::open);
    assertTrue(e.getMessage().contains("is not a segment store's file: is it another store's directory?"),
        e.getMessage());
  }

  @Test
  void compactedSegmentsAreDroppedAfterASyncAndTheLogReopensFromTheNextCheckpoint() throws IOException {
    HardState voted = new HardState(3, NodeId.of("n2"), 0);
    try (SegmentLogStore store = open()) {
      store.saveHardState(voted);
      for (long i = 1; i <= 2000; i += 100) {
        store.append(entries(i, i + 99, 2));
      }
      store.sync();
      int before = SegmentImage.segments(dir).size();
      store.truncatePrefix(1500, 2);
      assertEquals(before, SegmentImage.segments(dir).size(), "nothing is dropped before the truncation is synced");
      store.sync();
      assertTrue(SegmentImage.segments(dir).size() < before, "segments before entry 1501 are dropped");
    }
    try (SegmentLogStore store = open()) {
      assertAll(
          () -> assertEquals(1501, store.firstIndex()),
          () -> assertEquals(2, store.term(1500)),
          () -> assertEquals(entries(1501, 2000, 2), all(store)),
          () -> assertEquals(voted.withCommitIndex(1500), store.loadHardState()));
    }
  }

  @Test
  void theDirectoryStaysBoundedAsTheLogMovesThroughSegments() throws IOException {
    try (SegmentLogStore store = open()) {
      long next = 1;
      for (int round = 0; round < 40; round++) {
        store.append(entries(next, next + 199, 1));
        next += 200;
        store.truncatePrefix(next - 50, 1);
        store.sync();
      }
      try (Stream<Path> files = Files.list(dir)) {
        long count = files.filter(f -> !f.getFileName().toString().equals(SegmentFiles.LOCK)).count();
        assertTrue(count <= 4, "segments in use plus at most two spares, but the directory holds " + count);
      }
      assertEquals(entries(next - 49, next - 1, 1), all(store));
    }
  }

  @Test
  void anAppendLargerThanASegmentGetsASegmentOfItsOwn() {
    LogEntry large = entry(2, 1, (int) SMALL_SEGMENT * 3);
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 1, 1));
      store.append(List.of(large));
      store.append(List.of(entry(3, 1, PAYLOAD)));
      store.sync();
    }
    try (SegmentLogStore store = open()) {
      assertEquals(List.of(entry(1, 1, PAYLOAD), large, entry(3, 1, PAYLOAD)), all(store));
    }
  }

  @Test
  void aSegmentSizeOutsideTheLimitsIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SegmentLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")).withSegmentBytes(4096));
    assertTrue(e.getMessage().contains("segmentBytes (4096)"), e.getMessage());
  }
}
