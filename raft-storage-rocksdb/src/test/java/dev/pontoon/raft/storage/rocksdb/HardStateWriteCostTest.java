package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hard state is rewritten with nearly every batch (the commit index moves with each one).
 * Those overwrites of one key must not fill the {@code meta} column family's memtable every few
 * hundred batches: each such flush rolls the WAL and writes a table file, which costs about five
 * fsyncs and a compaction now and then, on a log whose only other cost is one fsync per batch.
 */
class HardStateWriteCostTest {
  /** Batches of a few seconds at one write outstanding: well past a few hundred, far below a big memtable. */
  private static final int BATCHES = 5_000;

  @TempDir Path dir;

  @Test
  void aHardStateRewrittenWithEveryBatchDoesNotFlushTheMetaColumnFamily() throws IOException {
    try (RocksDbLogStore store = RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")))) {
      for (long index = 1; index <= BATCHES; index++) {
        store.saveHardState(new HardState(7, NodeId.of("n2"), index - 1));
        store.append(List.of(LogEntry.command(index, 7, Bytes.ofUtf8("v" + index))));
      }
      store.sync();

      assertAll(
          () -> assertEquals(1, filesEndingWith(".log"), "WAL files (a memtable flush rolls the WAL)"),
          () -> assertEquals(0, filesEndingWith(".sst"), "table files (a memtable flush writes one)"));
    }
  }

  private long filesEndingWith(String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      // RocksDB's own info log is named LOG; WAL files are numbered, e.g. 000004.log.
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix) && !n.startsWith("LOG")).count();
    }
  }
}
