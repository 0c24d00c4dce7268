package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.LogStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The segment store passes the {@link LogStoreContract} on a real temporary directory, with
 * segments of the smallest size, so that the contract's writes cross segment boundaries.
 */
class SegmentLogStoreTest extends LogStoreContract {
  @TempDir Path dir;

  @Override
  protected LogStore newStore() {
    return SegmentLogStore.open(SegmentLogStoreConfig.of(dir, ClusterId.of("test-cluster"), NodeId.of("n1"))
        .withSegmentBytes(SegmentLogStoreConfig.MIN_SEGMENT_BYTES));
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
