package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table files (memtable flushes, compactions) are written with direct I/O where the directory's
 * filesystem accepts it, through the page cache where it does not; either way every entry
 * flushed into them reads back, before and after a reopen.
 */
class TableFilesDirectIoTest {
  /** 64 KiB memtables, at most two held: 4,000 entries of 1 KiB go through many table files. */
  private static final int ENTRIES = 4_000;

  @TempDir Path dir;

  @Test
  void tablesAreWrittenWithDirectIoWhereTheFilesystemAcceptsIt() throws IOException {
    assumeTrue(DirectIo.supported(dir), "the temporary directory's filesystem refuses O_DIRECT: nothing to check here");
    List<LogEntry> written = writeThroughManyTables(DirectIo::supported, true);
    assertEquals(written, reopenAndReadAll(DirectIo::supported));
  }

  @Test
  void tablesGoThroughThePageCacheWhereTheFilesystemRefusesDirectIo() throws IOException {
    List<LogEntry> written = writeThroughManyTables(directory -> false, false);
    assertEquals(written, reopenAndReadAll(directory -> false));
  }

  @Test
  void theProbeLeavesNothingBehindAndSaysNoForADirectoryItCannotWriteIn() throws IOException {
    DirectIo.supported(dir);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count(), "the probe's file is deleted");
    }
    assertFalse(DirectIo.supported(dir.resolve("missing")));
  }

  private RocksDbLogStoreConfig config() {
    return RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")).withWriteBufferBytes(64 << 10);
  }

  private List<LogEntry> writeThroughManyTables(Predicate<Path> directIoSupported, boolean expectDirectIo)
      throws IOException {
    List<LogEntry> written = new ArrayList<>();
    try (RocksDbLogStore store = RocksDbLogStore.open(config(), directIoSupported)) {
      assertEquals(expectDirectIo, store.tablesWrittenWithDirectIo());
      for (int i = 1; i <= ENTRIES; i++) {
        byte[] payload = new byte[1024];
        for (int b = 0; b < payload.length; b++) {
          payload[b] = (byte) (i * 31 + b);
        }
        LogEntry entry = LogEntry.command(i, 3, Bytes.wrap(payload));
        store.append(List.of(entry));
        written.add(entry);
        if (i % 50 == 0) {
          store.sync();
        }
      }
      store.sync();
      assertEquals(written, store.entries(1, ENTRIES + 1, Long.MAX_VALUE));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".sst")),
          "4 MB through 64 KiB memtables must have been flushed into table files");
    }
    assertEquals("use_direct_io_for_flush_and_compaction=" + expectDirectIo, rocksDbsOwnRecordOfTheOption(),
        "RocksDB's OPTIONS file records what it was opened with");
    return written;
  }

  /** The option's line in the newest OPTIONS file RocksDB wrote into the directory. */
  private String rocksDbsOwnRecordOfTheOption() throws IOException {
    Path newest;
    try (Stream<Path> files = Files.list(dir)) {
      newest = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-"))
          .max((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).orElseThrow();
    }
    return Files.readAllLines(newest).stream().map(String::strip)
        .filter(line -> line.startsWith("use_direct_io_for_flush_and_compaction=")).findFirst().orElseThrow();
  }

  private List<LogEntry> reopenAndReadAll(Predicate<Path> directIoSupported) {
    try (RocksDbLogStore store = RocksDbLogStore.open(config(), directIoSupported)) {
      return store.entries(1, store.lastIndex() + 1, Long.MAX_VALUE);
    }
  }
}
