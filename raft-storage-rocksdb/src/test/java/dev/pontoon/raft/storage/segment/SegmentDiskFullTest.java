package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.LogStoreDiskFullContract;
import java.nio.file.Path;

/**
 * The segment store on a filesystem that fills: small segments, so that the log needs new ones
 * (and their spares) while the disk has room for only a few.
 */
class SegmentDiskFullTest extends LogStoreDiskFullContract {
  @Override
  protected LogStore open(Path directory) {
    return SegmentLogStore.open(SegmentLogStoreConfig.of(directory, ClusterId.of("test-cluster"), NodeId.of("n1"))
        .withSegmentBytes(SegmentLogStoreConfig.MIN_SEGMENT_BYTES * 4));
  }
}
