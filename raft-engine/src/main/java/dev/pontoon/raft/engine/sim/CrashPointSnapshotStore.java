package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.SnapshotStore;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The snapshot store one incarnation of a {@link RuntimeNode} sees: its node's store, with a
 * crash point before each commit (a snapshot taken or received, lost with the process), fenced
 * like {@link CrashPointLogStore} once the incarnation is dead.
 */
final class CrashPointSnapshotStore implements SnapshotStore {

  private final SnapshotStore store;
  private final CrashPointLogStore.CrashPoints points;
  private final int incarnation;

  CrashPointSnapshotStore(SnapshotStore store, CrashPointLogStore.CrashPoints points, int incarnation) {
    this.store = store;
    this.points = points;
    this.incarnation = incarnation;
  }

  @Override
  public SnapshotSink create(SnapshotMeta meta) {
    points.reached(incarnation, null);
    SnapshotSink sink = store.create(meta);
    return new SnapshotSink() {
      @Override
      public OutputStream stream() {
        return sink.stream();
      }

      @Override
      public void commit() {
        points.reached(incarnation, () -> "commit of the snapshot at " + meta.lastIncludedIndex());
        sink.commit();
      }

      @Override
      public void close() {
        sink.close();
      }
    };
  }

  @Override
  public Optional<StoredSnapshot> newest() {
    points.reached(incarnation, null);
    return store.newest();
  }

  /** A crashed process closes nothing; a stopped one keeps its store. */
  @Override
  public void close() {}
}
