package dev.pontoon.raft.storage.file;

import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.SnapshotStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file store passes the {@link SnapshotStoreContract} in a real temporary directory, keeping
 * a single snapshot: the harshest setting, in which every commit prunes the one before.
 */
class FileSnapshotStoreContractTest extends SnapshotStoreContract {
  @TempDir Path dir;

  @Override
  protected SnapshotStore newStore() {
    return FileSnapshotStore.open(dir, null, null, 1);
  }
}
