package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.StorageException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Native resources are released exactly once, and a closed store refuses work instead of crashing. */
class LifecycleTest {
  @TempDir Path dir;

  @Test
  void closeTwiceReleasesResourcesOnceAndTheDirectoryCanBeReopened() {
    RocksDbLogStore store = open();
    store.append(List.of(LogEntry.noOp(1, 1)));
    store.sync();

    store.close();
    assertDoesNotThrow(store::close);

    // RocksDB holds a LOCK file while open: a second open succeeds only if the first released it.
    try (RocksDbLogStore again = open()) {
      assertTrue(again.lastIndex() == 1);
    }
  }

  @Test
  void everyOperationAfterCloseThrowsStorageException() {
    RocksDbLogStore store = open();
    store.close();

    assertAll(
        () -> assertThrows(StorageException.class, store::firstIndex),
        () -> assertThrows(StorageException.class, store::lastIndex),
        () -> assertThrows(StorageException.class, () -> store.term(0)),
        () -> assertThrows(StorageException.class, () -> store.entries(1, 1, 1)),
        () -> assertThrows(StorageException.class, () -> store.append(List.of(LogEntry.noOp(1, 1)))),
        () -> assertThrows(StorageException.class, () -> store.saveHardState(HardState.INITIAL)),
        () -> assertThrows(StorageException.class, store::loadHardState),
        () -> assertThrows(StorageException.class, () -> store.truncateSuffix(1)),
        () -> assertThrows(StorageException.class, () -> store.truncatePrefix(1, 1)),
        () -> assertThrows(StorageException.class, store::sync));
  }

  @Test
  void secondOpenOfAnOpenDirectoryIsRefusedWithAClearError() {
    try (RocksDbLogStore store = open()) {
      StorageException e = assertThrows(StorageException.class, this::open);
      assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }
  }

  @Test
  void closeWhileReadersRunMakesThemFailCleanly() throws Exception {
    RocksDbLogStore store = open();
    store.append(List.of(LogEntry.noOp(1, 1), LogEntry.noOp(2, 1)));
    CompletableFuture<StorageException> reader = CompletableFuture.supplyAsync(() -> {
      try {
        while (true) {
          store.entries(1, 3, Long.MAX_VALUE);
          store.term(1);
        }
      } catch (StorageException e) {
        return e;
      }
    });
    store.entries(1, 3, Long.MAX_VALUE);

    store.close();

    assertTrue(reader.get(30, TimeUnit.SECONDS).getMessage().contains("closed"));
  }

  private RocksDbLogStore open() {
    return RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")));
  }
}
