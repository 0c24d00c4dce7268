package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.SnapshotStoreContract;

/**
 * The test store that prunes like {@code FileSnapshotStore} passes the {@link SnapshotStoreContract}
 * when it honours readers, keeping only its newest snapshot: the runtime's tests against it then
 * stand for any store that keeps the rule.
 */
class PruningSnapshotStoreTest extends SnapshotStoreContract {

  @Override
  protected SnapshotStore newStore() {
    return new PruningSnapshotStore(1, true);
  }
}
