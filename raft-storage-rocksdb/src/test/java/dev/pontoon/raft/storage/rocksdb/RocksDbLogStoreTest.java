package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.LogStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The RocksDB store passes the {@link LogStoreContract} on a real temporary directory. */
class RocksDbLogStoreTest extends LogStoreContract {
  @TempDir Path dir;

  @Override
  protected LogStore newStore() {
    return RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("test-cluster"), NodeId.of("n1")));
  }

  @Override
  protected boolean isDurable() {
    return true;
  }

  @Override
  protected LogStore reopen(LogStore store) {
    store.close();
    return newStore();
  }
}
