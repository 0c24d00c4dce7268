package dev.pontoon.raft.engine.memory;

import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.storage.SnapshotStore;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link SnapshotStore} in memory: keeps the newest snapshot saved. "Durable" for as long as
 * the object lives, which is what tests that restart a node on the same store need.
 *
 * <p><b>Threading.</b> Thread-safe.
 */
public final class InMemorySnapshotStore implements SnapshotStore {

  private Snapshot latest;

  @Override
  public synchronized void save(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    if (latest == null || snapshot.meta().lastIncludedIndex() > latest.meta().lastIncludedIndex()) {
      latest = snapshot;
    }
  }

  @Override
  public synchronized Optional<Snapshot> latest() {
    return Optional.ofNullable(latest);
  }
}
