package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.LogStoreDiskFullContract;
import java.nio.file.Path;

/** The RocksDB store on a filesystem that fills. */
class RocksDbDiskFullTest extends LogStoreDiskFullContract {
  @Override
  protected LogStore open(Path directory) {
    return RocksDbLogStore.open(RocksDbLogStoreConfig.of(directory, ClusterId.of("test-cluster"), NodeId.of("n1")));
  }

  @Override
  protected long filesystemBytes() {
    // Its 16 MiB memtable never flushes here: the WAL, the MANIFEST and OPTIONS files fill the disk.
    return 8L << 20;
  }
}
