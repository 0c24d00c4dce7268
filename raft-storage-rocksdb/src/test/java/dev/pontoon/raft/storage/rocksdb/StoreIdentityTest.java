package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.StorageException;
import dev.pontoon.raft.storage.segment.SegmentLogStore;
import dev.pontoon.raft.storage.segment.SegmentLogStoreConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** A store records whose it is and refuses a directory that belongs to another node or cluster. */
class StoreIdentityTest {
  @TempDir Path dir;

  @Test
  void directoryOfAnotherNodeIsRefusedNamingBothIdentities() {
    createStore("c1", "n1");

    StorageException e = assertThrows(StorageException.class,
        () -> RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n2"))));

    assertAll(
        () -> assertTrue(e.getMessage().contains("cluster 'c1', node 'n1'"), e.getMessage()),
        () -> assertTrue(e.getMessage().contains("cluster 'c1', node 'n2'"), e.getMessage()),
        () -> assertTrue(e.getMessage().contains(dir.toString()), e.getMessage()));
  }

  @Test
  void directoryOfAnotherClusterIsRefusedNamingBothIdentities() {
    createStore("c1", "n1");

    StorageException e = assertThrows(StorageException.class,
        () -> RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c2"), NodeId.of("n1"))));

    assertAll(
        () -> assertTrue(e.getMessage().contains("cluster 'c1'"), e.getMessage()),
        () -> assertTrue(e.getMessage().contains("cluster 'c2'"), e.getMessage()));
  }

  @Test
  void refusedOpenLeavesTheStoreIntactForItsOwner() {
    createStore("c1", "n1");
    assertThrows(StorageException.class, () -> RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c2"), NodeId.of("n9"))));

    try (RocksDbLogStore store = RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")))) {
      assertEquals(List.of(LogEntry.noOp(1, 1)), store.entries(1, 2, Long.MAX_VALUE));
    }
  }

  @Test
  void databaseThatIsNotALogStoreIsRefused() throws Exception {
    try (Options options = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(options, dir.toString())) {
      db.put(new byte[] {1}, new byte[] {2});
    }

    StorageException e = assertThrows(StorageException.class,
        () -> RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1"))));

    assertTrue(e.getMessage().contains("not a Pontoon log store"), e.getMessage());
  }

  @Test
  void aSegmentStoreDirectoryIsRefusedRatherThanTakenForANewLog() {
    try (SegmentLogStore segments = SegmentLogStore.open(SegmentLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")))) {
      segments.append(List.of(LogEntry.noOp(1, 1)));
      segments.sync();
    }

    StorageException e = assertThrows(StorageException.class,
        () -> RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1"))));

    assertTrue(e.getMessage().contains("holds a SegmentLogStore's log (segment-"), e.getMessage());
  }

  private void createStore(String cluster, String node) {
    try (RocksDbLogStore store = RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of(cluster), NodeId.of(node)))) {
      store.append(List.of(LogEntry.noOp(1, 1)));
      store.sync();
    }
  }
}
