package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit index kept with term and vote in the {@code meta} column family: stores written
 * before it was kept still open, it survives an orderly close without a sync, and compaction
 * keeps it at or above the snapshot's index.
 */
class CommitIndexMetadataTest {
  @TempDir Path dir;

  @Test
  void aHardStateWrittenBeforeTheCommitIndexWasKeptOpensWithCommitIndexZero() throws Exception {
    try (RocksDbLogStore store = open()) {
      store.append(entries(1, 5));
      store.saveHardState(new HardState(3, NodeId.of("n2"), 5));
      store.sync();
    }
    try (RawRocks raw = new RawRocks(dir)) {
      raw.put(raw.meta(), Keys.HARD_STATE, oldHardStateRecord(3, "n2"));
    }

    try (RocksDbLogStore store = open()) {
      assertAll(
          () -> assertEquals(new HardState(3, NodeId.of("n2"), 0), store.loadHardState()),
          () -> assertEquals(5, store.lastIndex()));
    }
  }

  /** An old store that was compacted: the entries behind its snapshot were committed (commit >= snapshot index). */
  @Test
  void anOldCompactedStoreOpensWithTheCommitIndexAtItsSnapshot() throws Exception {
    try (RocksDbLogStore store = open()) {
      store.append(entries(1, 5));
      store.truncatePrefix(3, 1);
      store.sync();
    }
    try (RawRocks raw = new RawRocks(dir)) {
      raw.put(raw.meta(), Keys.HARD_STATE, oldHardStateRecord(1, null));
    }

    try (RocksDbLogStore store = open()) {
      assertEquals(new HardState(1, null, 3), store.loadHardState());
    }
  }

  /**
   * A commit index that advanced without new entries waits for the next write or sync (no write
   * or fsync of its own); an orderly close writes it, so a restart on the directory finds it.
   */
  @Test
  void aCommitIndexSavedWithoutASyncSurvivesAnOrderlyClose() {
    try (RocksDbLogStore store = open()) {
      store.append(entries(1, 5));
      store.saveHardState(new HardState(2, NodeId.of("n1"), 3));
      store.sync();
      store.saveHardState(new HardState(2, NodeId.of("n1"), 5));
    }

    try (RocksDbLogStore store = open()) {
      assertEquals(new HardState(2, NodeId.of("n1"), 5), store.loadHardState());
    }
  }

  /** The raised commit index is written in the truncation's own batch: it survives with the truncation. */
  @Test
  void compactionRaisesTheStoredCommitIndexInTheSameWrite() {
    try (RocksDbLogStore store = open()) {
      store.append(entries(1, 8));
      store.saveHardState(new HardState(2, null, 2));
      store.sync();
      store.truncatePrefix(6, 1);
      store.sync();
    }

    try (RocksDbLogStore store = open()) {
      assertAll(
          () -> assertEquals(7, store.firstIndex()),
          () -> assertEquals(new HardState(2, null, 6), store.loadHardState()));
    }
  }

  private RocksDbLogStore open() {
    return RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")));
  }

  private static List<LogEntry> entries(long from, long to) {
    List<LogEntry> entries = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      entries.add(LogEntry.command(i, 1, Bytes.ofUtf8("v" + i)));
    }
    return entries;
  }

  /** The hard state record as format version 1 first wrote it: CRC32C, term, vote; no commit index. */
  private static byte[] oldHardStateRecord(long term, String vote) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(0);
      out.writeLong(term);
      out.writeBoolean(vote != null);
      if (vote != null) {
        out.writeUTF(vote);
      }
    }
    byte[] value = buffer.toByteArray();
    CRC32C crc = new CRC32C();
    crc.update(value, 4, value.length - 4);
    ByteBuffer.wrap(value).putInt(0, (int) crc.getValue());
    return value;
  }
}
