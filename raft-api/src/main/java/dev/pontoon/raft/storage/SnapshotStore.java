package dev.pontoon.raft.storage;

import dev.pontoon.raft.log.Snapshot;
import java.util.Optional;

/**
 * Keeps the latest snapshot of a node, with the log position and configuration it covers.
 *
 * <p><b>Durability.</b> When {@link #save} returns, the snapshot survives a crash, and
 * {@link #latest()} returns it (or a later one). Saving an older snapshot than the one kept is
 * ignored. <b>Threading.</b> Safe for use from several threads.
 */
public interface SnapshotStore extends AutoCloseable {

  /** Durably keeps {@code snapshot} if it is newer than the one kept. */
  void save(Snapshot snapshot);

  /** The newest snapshot kept, if any. */
  Optional<Snapshot> latest();

  /** Releases resources. Idempotent. */
  @Override
  default void close() {}
}
