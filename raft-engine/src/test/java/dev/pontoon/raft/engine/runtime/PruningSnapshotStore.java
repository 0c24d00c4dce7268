package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.ChecksummedInputStream;
import dev.pontoon.raft.storage.SnapshotStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A snapshot store in memory that prunes like {@code FileSnapshotStore}: it keeps the newest
 * {@code keep} snapshots, and a pruned one is gone ({@code open()} throws
 * {@link NoSuchFileException}). Honouring readers, a pruned snapshot stays readable while a
 * stream over it is open, as {@link SnapshotStore}'s reader rule requires; not honouring them, it
 * is gone at once, as in a user's store that does not keep the rule.
 *
 * <p>{@link #onNextNewest(Runnable)} runs a step inside the next {@link #newest()}, after its
 * lookup: a commit landing between a caller's {@code newest()} and its {@code open()}, on cue.
 */
final class PruningSnapshotStore implements SnapshotStore {

  private final int keep;
  private final boolean honoursReaders;
  /** Every snapshot committed, oldest first. Guarded by this. */
  private final List<Stored> committed = new ArrayList<>();
  private Runnable nextNewest;

  PruningSnapshotStore(int keep, boolean honoursReaders) {
    this.keep = keep;
    this.honoursReaders = honoursReaders;
  }

  /** Runs {@code step} once, inside the next {@link #newest()}, after it chose its answer. */
  synchronized void onNextNewest(Runnable step) {
    nextNewest = step;
  }

  private final class Stored implements StoredSnapshot {
    final SnapshotMeta meta;
    final byte[] data;
    final int checksum;
    /** Guarded by the store. */
    boolean pruned;
    /** Streams open over it. Guarded by the store. */
    int readers;

    Stored(SnapshotMeta meta, byte[] data) {
      this.meta = meta;
      this.data = data;
      CRC32C crc = new CRC32C();
      crc.update(data);
      this.checksum = (int) crc.getValue();
    }

    @Override
    public SnapshotMeta meta() {
      return meta;
    }

    @Override
    public long size() {
      return data.length;
    }

    @Override
    public int checksum() {
      return checksum;
    }

    @Override
    public InputStream open() throws IOException {
      synchronized (PruningSnapshotStore.this) {
        if (pruned && (readers == 0 || !honoursReaders)) {
          throw new NoSuchFileException("snapshot-" + meta.lastIncludedIndex() + ".snap");
        }
        readers++;
      }
      InputStream in = new ChecksummedInputStream(new ByteArrayInputStream(data), data.length, checksum,
          "snapshot at " + meta.lastIncludedIndex());
      return new FilterInputStream(in) {
        private boolean closed;

        @Override
        public void close() throws IOException {
          synchronized (PruningSnapshotStore.this) {
            if (!closed) {
              closed = true;
              readers--;
            }
          }
          super.close();
        }
      };
    }
  }

  @Override
  public SnapshotSink create(SnapshotMeta meta) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return new SnapshotSink() {
      @Override
      public OutputStream stream() {
        return out;
      }

      @Override
      public void commit() {
        install(new Stored(meta, out.toByteArray()));
      }

      @Override
      public void close() {}
    };
  }

  private synchronized void install(Stored stored) {
    if (!committed.isEmpty()
        && stored.meta.lastIncludedIndex() <= committed.get(committed.size() - 1).meta.lastIncludedIndex()) {
      return;
    }
    committed.add(stored);
    while (committed.size() > keep) {
      committed.remove(0).pruned = true;
    }
  }

  @Override
  public Optional<StoredSnapshot> newest() {
    Optional<StoredSnapshot> newest;
    Runnable step;
    synchronized (this) {
      newest = committed.isEmpty() ? Optional.empty() : Optional.of(committed.get(committed.size() - 1));
      step = nextNewest;
      nextNewest = null;
    }
    if (step != null) {
      step.run();
    }
    return newest;
  }
}
