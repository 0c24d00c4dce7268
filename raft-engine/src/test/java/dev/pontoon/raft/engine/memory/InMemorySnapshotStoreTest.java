package dev.pontoon.raft.engine.memory;

import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.SnapshotStoreContract;

/**
 * The in-memory store passes the {@link SnapshotStoreContract}: it keeps only the newest snapshot,
 * and a handle to an older one keeps that one's bytes, so its readers never lose it.
 */
class InMemorySnapshotStoreTest extends SnapshotStoreContract {

  @Override
  protected SnapshotStore newStore() {
    return new InMemorySnapshotStore();
  }
}
