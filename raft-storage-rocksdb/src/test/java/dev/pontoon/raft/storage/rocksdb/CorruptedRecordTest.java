package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage written behind the store's back is reported as {@link CorruptedLogException} naming
 * the index and the directory; bad bytes are never returned.
 */
class CorruptedRecordTest {
  @TempDir Path dir;

  @BeforeEach
  void writeTenEntries() {
    try (RocksDbLogStore store = open()) {
      List<LogEntry> entries = new ArrayList<>();
      for (long i = 1; i <= 10; i++) {
        entries.add(LogEntry.command(i, 1, Bytes.ofUtf8("payload-" + i)));
      }
      store.saveHardState(new HardState(1, NodeId.of("n1")));
      store.append(entries);
      store.sync();
    }
  }

  @Test
  void flippedPayloadBitIsReportedWithIndexAndDirectory() throws Exception {
    try (RawRocks raw = new RawRocks(dir)) {
      byte[] value = raw.get(raw.entries(), Keys.entry(5));
      value[value.length - 1] ^= 0x01;
      raw.put(raw.entries(), Keys.entry(5), value);
    }

    try (RocksDbLogStore store = open()) {
      CorruptedLogException e = assertThrows(CorruptedLogException.class, () -> store.entries(1, 11, Long.MAX_VALUE));

      assertAll(
          () -> assertTrue(e.getMessage().contains("log entry 5"), e.getMessage()),
          () -> assertTrue(e.getMessage().contains(dir.toString()), e.getMessage()),
          () -> assertThrows(CorruptedLogException.class, () -> store.term(5)),
          () -> assertEquals(4, store.entries(1, 5, Long.MAX_VALUE).size(), "entries before the damage still read"));
    }
  }

  @Test
  void flippedTermBitIsReported() throws Exception {
    try (RawRocks raw = new RawRocks(dir)) {
      byte[] value = raw.get(raw.entries(), Keys.entry(3));
      value[11] ^= 0x02;
      raw.put(raw.entries(), Keys.entry(3), value);
    }

    try (RocksDbLogStore store = open()) {
      assertThrows(CorruptedLogException.class, () -> store.term(3));
    }
  }

  @Test
  void valueMovedUnderAnotherIndexIsReported() throws Exception {
    try (RawRocks raw = new RawRocks(dir)) {
      raw.put(raw.entries(), Keys.entry(7), raw.get(raw.entries(), Keys.entry(6)));
    }

    try (RocksDbLogStore store = open()) {
      CorruptedLogException e = assertThrows(CorruptedLogException.class, () -> store.entries(7, 8, Long.MAX_VALUE));
      assertTrue(e.getMessage().contains("log entry 7"), e.getMessage());
    }
  }

  @Test
  void truncatedValueIsReported() throws Exception {
    try (RawRocks raw = new RawRocks(dir)) {
      raw.put(raw.entries(), Keys.entry(2), new byte[] {1, 2, 3});
    }

    try (RocksDbLogStore store = open()) {
      assertThrows(CorruptedLogException.class, () -> store.entries(2, 3, Long.MAX_VALUE));
    }
  }

  @Test
  void holeInTheMiddleOfTheLogIsReported() throws Exception {
    try (RawRocks raw = new RawRocks(dir)) {
      raw.delete(raw.entries(), Keys.entry(4));
    }

    try (RocksDbLogStore store = open()) {
      CorruptedLogException e = assertThrows(CorruptedLogException.class, () -> store.entries(1, 11, Long.MAX_VALUE));
      assertAll(
          () -> assertTrue(e.getMessage().contains("log entry 4 is missing"), e.getMessage()),
          () -> assertThrows(CorruptedLogException.class, () -> store.term(4)));
    }
  }

  @Test
  void damagedHardStateRefusesTheOpen() throws Exception {
    try (RawRocks raw = new RawRocks(dir)) {
      byte[] value = raw.get(raw.meta(), Keys.HARD_STATE);
      value[6] ^= 0x10;
      raw.put(raw.meta(), Keys.HARD_STATE, value);
    }

    CorruptedLogException e = assertThrows(CorruptedLogException.class, this::open);

    assertTrue(e.getMessage().contains("hard state") && e.getMessage().contains(dir.toString()), e.getMessage());
  }

  @Test
  void damagedLastEntryRefusesTheOpen() throws Exception {
    try (RawRocks raw = new RawRocks(dir)) {
      byte[] value = raw.get(raw.entries(), Keys.entry(10));
      value[0] ^= 0x01;
      raw.put(raw.entries(), Keys.entry(10), value);
    }

    CorruptedLogException e = assertThrows(CorruptedLogException.class, this::open);

    assertTrue(e.getMessage().contains("log entry 10"), e.getMessage());
  }

  private RocksDbLogStore open() {
    return RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")));
  }
}
