package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.SnapshotStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The snapshot store one incarnation of a {@link RuntimeNode} sees: its node's store, with a
 * crash point before each commit (a snapshot taken or received, lost with the process), fenced
 * like {@link CrashPointLogStore} once the incarnation is dead.
 *
 * <p>It also sees the store's readers: each stream the incarnation opens is kept until closed, so
 * that a crash closes what the dead process held open ({@link #processDied}; the operating system
 * closes a dead process's files, and a pruning store may then let those snapshots go), and each
 * open of a snapshot older than the newest, or refused, is counted for the run's report
 * ({@link Reads}). With {@code ignoreReaders} (a sabotage) it breaks the reader rules as a careless
 * store would: a handle of a snapshot that is no longer the newest refuses to open, even while a
 * stream over it is open.
 */
final class CrashPointSnapshotStore implements SnapshotStore {

  /** Counts, for the run's report, how the runtime read snapshots that newer ones had replaced. */
  interface Reads {
    /** A snapshot older than the store's newest was opened (a reader rule kept it readable). */
    void olderOpened();

    /** An open was refused: the snapshot was pruned (or, with the sabotage, merely replaced). */
    void refused();
  }

  private final SnapshotStore store;
  private final CrashPointLogStore.CrashPoints points;
  private final int incarnation;
  private final Reads reads;
  private final boolean ignoreReaders;
  /** Streams this incarnation opened and has not closed. */
  private final List<InputStream> open = new ArrayList<>();

  CrashPointSnapshotStore(SnapshotStore store, CrashPointLogStore.CrashPoints points, int incarnation, Reads reads,
      boolean ignoreReaders) {
    this.store = store;
    this.points = points;
    this.incarnation = incarnation;
    this.reads = reads;
    this.ignoreReaders = ignoreReaders;
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
    return store.newest().map(Handle::new);
  }

  /** The process died: the operating system closes every stream it held open. */
  void processDied() {
    for (InputStream in : List.copyOf(open)) {
      try {
        in.close();
      } catch (IOException e) {
        // an in-memory stream does not fail to close
      }
    }
    open.clear();
  }

  /** A crashed process closes nothing; a stopped one keeps its store. */
  @Override
  public void close() {}

  /** A handle of the store's, whose streams this incarnation tracks. */
  private final class Handle implements StoredSnapshot {
    private final StoredSnapshot stored;

    Handle(StoredSnapshot stored) {
      this.stored = stored;
    }

    @Override
    public SnapshotMeta meta() {
      return stored.meta();
    }

    @Override
    public long size() {
      return stored.size();
    }

    @Override
    public int checksum() {
      return stored.checksum();
    }

    @Override
    public InputStream open() throws IOException {
      points.reached(incarnation, null);
      long index = stored.meta().lastIncludedIndex();
      boolean older = store.newest().map(s -> s.meta().lastIncludedIndex() > index).orElse(false);
      InputStream in;
      try {
        if (older && ignoreReaders) {
          throw new NoSuchFileException("snapshot at " + index + " (pruned, readers ignored: sabotage)");
        }
        in = stored.open();
      } catch (IOException e) {
        reads.refused();
        throw e;
      }
      if (older) {
        reads.olderOpened();
      }
      InputStream tracked = new FilterInputStream(in) {
        @Override
        public void close() throws IOException {
          open.remove(this);
          super.close();
        }
      };
      open.add(tracked);
      return tracked;
    }
  }
}
