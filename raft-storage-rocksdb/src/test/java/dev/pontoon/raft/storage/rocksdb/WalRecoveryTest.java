package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the store recovers from its write-ahead log after damage behind its back. Closing the
 * store leaves every write in the WAL (RocksDB flushes memtables on close only for writes that
 * skipped the WAL), so these tests edit the {@code .log} file itself, as a disk or a crash would.
 *
 * <p>The rule: a record cut short at the end of the WAL is what a crash in the middle of a write
 * leaves, and is dropped with everything after it; any other damage refuses the open, because
 * recovering past it would silently drop writes that {@code sync()} had made durable. (The damage
 * RocksDB cannot see is listed in {@link RocksDbLogStore}'s Javadoc.)
 */
class WalRecoveryTest {
  private static final HardState FIRST_VOTE = new HardState(1, NodeId.of("n1"));
  private static final HardState SECOND_VOTE = new HardState(2, NodeId.of("n2"));

  @TempDir Path dir;

  /**
   * Issue: a flipped byte in a synced record in the middle of the WAL made the store open with
   * the log and the vote as they were before that record, without an error.
   */
  @Test
  void flippedByteInASyncedRecordBeforeTheLastSyncRefusesTheOpen() throws IOException {
    try (RocksDbLogStore store = open()) {
      store.saveHardState(FIRST_VOTE);
      store.append(entries(1, 10, 1));
      store.sync();
      store.saveHardState(SECOND_VOTE);
      store.append(entries(11, 20, 2));
      store.sync();
    }

    flipByteAt(wal(), offsetOf(wal(), payload(5, 1)));

    CorruptedLogException e = assertOpenRefused();
    assertAll(
        () -> assertTrue(e.getMessage().contains(dir.toString()), e.getMessage()),
        () -> assertTrue(e.getMessage().contains("write-ahead log"), e.getMessage()),
        () -> assertTrue(e.getMessage().contains("corruption"), e.getMessage()));
  }

  /**
   * A damaged record of full length at the end of the WAL refuses the open as well: RocksDB
   * cannot tell whether it was synced, so only a record cut short counts as a torn write.
   */
  @Test
  void flippedByteInTheLastSyncedRecordRefusesTheOpen() throws IOException {
    try (RocksDbLogStore store = open()) {
      store.saveHardState(FIRST_VOTE);
      store.append(entries(1, 10, 1));
      store.sync();
    }

    flipByteAt(wal(), offsetOf(wal(), payload(10, 1)));

    CorruptedLogException e = assertOpenRefused();
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }

  /**
   * A write cut short at the end of the WAL (here: an unsynced append and vote, cut inside the
   * record's header, inside its body or by its last byte) is dropped; everything synced before it
   * is recovered, and the store goes on from there.
   */
  @ParameterizedTest
  @EnumSource(TornTail.class)
  void recordCutShortAtTheEndIsDroppedAndEverySyncedWriteKept(TornTail cut) throws IOException {
    long syncedEnd;
    long unsyncedEnd;
    try (RocksDbLogStore store = open()) {
      store.saveHardState(FIRST_VOTE);
      store.append(entries(1, 10, 1));
      store.sync();
      syncedEnd = Files.size(wal());
      store.saveHardState(SECOND_VOTE);
      store.append(entries(11, 20, 2));
      unsyncedEnd = Files.size(wal());
    }
    assertTrue(unsyncedEnd > syncedEnd, "the unsynced append reached the WAL file");

    truncate(wal(), cut.length(syncedEnd, unsyncedEnd));

    try (RocksDbLogStore store = open()) {
      assertAll(
          () -> assertEquals(10, store.lastIndex()),
          () -> assertEquals(entries(1, 10, 1), store.entries(1, 11, Long.MAX_VALUE)),
          () -> assertEquals(FIRST_VOTE, store.loadHardState()));
      store.append(entries(11, 12, 3));
      store.sync();
    }
    List<LogEntry> expected = new ArrayList<>(entries(1, 10, 1));
    expected.addAll(entries(11, 12, 3));
    try (RocksDbLogStore store = open()) {
      assertEquals(expected, store.entries(1, 13, Long.MAX_VALUE));
    }
  }

  /** Where the last record, written without sync, is cut. */
  enum TornTail {
    INSIDE_HEADER {
      @Override
      long length(long recordStart, long recordEnd) {
        return recordStart + 3;
      }
    },
    INSIDE_BODY {
      @Override
      long length(long recordStart, long recordEnd) {
        return (recordStart + recordEnd) / 2;
      }
    },
    LAST_BYTE {
      @Override
      long length(long recordStart, long recordEnd) {
        return recordEnd - 1;
      }
    };

    /** The length to cut the WAL file to. */
    abstract long length(long recordStart, long recordEnd);
  }

  // ---------------------------------------------------------------- helpers

  private CorruptedLogException assertOpenRefused() {
    RocksDbLogStore store;
    try {
      store = open();
    } catch (CorruptedLogException e) {
      return e;
    }
    try (store) {
      return fail("the store opened without an error and recovered " + LogImage.of(store));
    }
  }

  private RocksDbLogStore open() {
    return RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")));
  }

  private static List<LogEntry> entries(long from, long to, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(LogEntry.command(i, term, Bytes.ofUtf8(payload(i, term))));
    }
    return out;
  }

  private static String payload(long index, long term) {
    return "entry " + index + " of term " + term + ", padded to make a record of some size";
  }

  /** The store's one WAL file: each test writes far less than a memtable. */
  private Path wal() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> wals = files.filter(f -> f.getFileName().toString().endsWith(".log")).toList();
      assertEquals(1, wals.size(), "WAL files in " + dir + ": " + wals);
      return wals.get(0);
    }
  }

  /** The offset of the first occurrence of {@code text} in {@code file}. */
  private static long offsetOf(Path file, String text) throws IOException {
    byte[] content = Files.readAllBytes(file);
    byte[] wanted = text.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + wanted.length <= content.length; i++) {
      for (int j = 0; j < wanted.length; j++) {
        if (content[i + j] != wanted[j]) {
          continue outer;
        }
      }
      return i;
    }
    return fail("'" + text + "' is not in " + file);
  }

  private static void flipByteAt(Path file, long offset) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(offset);
      int b = raf.read();
      raf.seek(offset);
      raf.write(b ^ 0x01);
    }
  }

  private static void truncate(Path file, long length) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(length);
    }
  }
}
