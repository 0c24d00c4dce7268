package dev.pontoon.raft.engine.memory;

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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A {@link SnapshotStore} in memory: keeps the newest snapshot committed. "Durable" for as long
 * as the object lives, which is what tests and the simulator, restarting a node on the same
 * store, need. It holds each snapshot in memory: for tests, not for large state.
 *
 * <p><b>Readers.</b> From {@code new InMemorySnapshotStore()}, a {@link StoredSnapshot} handle
 * holds its snapshot's bytes, so a snapshot replaced by a newer one stays readable through every
 * handle to it, open stream or not: more than {@link SnapshotStore}'s reader rules ask. From
 * {@link #pruning(int) pruning(keep)}, the store prunes as a store on disk does, and exactly as
 * far as the reader rules allow: it keeps the newest {@code keep} snapshots, and one pruned for a
 * newer is readable only while a stream over it is open; once the last such stream is closed its
 * {@code open()} throws {@link NoSuchFileException} (rule 3), so that callers meet that path in
 * tests and in the simulator.
 *
 * <p><b>Threading.</b> Thread-safe; one sink is used by one thread at a time.
 */
public final class InMemorySnapshotStore implements SnapshotStore {

  /** Snapshots kept readable without a reader; 0: every handle stays readable. */
  private final int keep;
  /** The newest committed last; at most {@link #keep} when pruning, else only the newest. Guarded by this. */
  private final Deque<Stored> kept = new ArrayDeque<>();

  /** A store whose handles keep their snapshot readable forever (it never prunes a handle's bytes). */
  public InMemorySnapshotStore() {
    this.keep = 0;
  }

  private InMemorySnapshotStore(int keep) {
    this.keep = keep;
  }

  /**
   * A store that prunes as a store on disk does: it keeps the newest {@code keep} snapshots, and
   * an older one stays readable only while a stream over it is open (rules 2 and 3 of
   * {@link SnapshotStore}'s "Readers").
   *
   * @param keep snapshots kept, at least 1
   * @throws IllegalArgumentException if {@code keep} is below 1
   */
  public static InMemorySnapshotStore pruning(int keep) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep (" + keep + ") must be at least 1");
    }
    return new InMemorySnapshotStore(keep);
  }

  private final class Stored implements StoredSnapshot {
    private final SnapshotMeta meta;
    private final byte[] data;
    private final int checksum;
    /** Whether a newer snapshot pushed it out of the kept ones. Guarded by the store. */
    private boolean pruned;
    /** Streams open over it. Guarded by the store. */
    private int readers;

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
      synchronized (InMemorySnapshotStore.this) {
        if (pruned && readers == 0) {
          throw new NoSuchFileException("snapshot at " + meta.lastIncludedIndex() + " (pruned)");
        }
        readers++;
      }
      InputStream in = new ChecksummedInputStream(new ByteArrayInputStream(data), data.length, checksum,
          "snapshot at " + meta.lastIncludedIndex());
      return new FilterInputStream(in) {
        private boolean closed;

        @Override
        public void close() throws IOException {
          synchronized (InMemorySnapshotStore.this) {
            if (!closed) {
              closed = true;
              readers--;
            }
          }
          super.close();
        }
      };
    }

    @Override
    public String toString() {
      return "snapshot at " + meta.lastIncludedIndex();
    }
  }

  @Override
  public SnapshotSink create(SnapshotMeta meta) {
    Objects.requireNonNull(meta, "meta");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    return new SnapshotSink() {
      private boolean done;

      @Override
      public OutputStream stream() {
        return out;
      }

      @Override
      public void commit() {
        if (done) {
          throw new IllegalStateException("snapshot sink already committed or closed");
        }
        done = true;
        install(new Stored(meta, out.toByteArray()));
      }

      @Override
      public void close() {
        done = true;
      }
    };
  }

  private synchronized void install(Stored stored) {
    Stored newest = kept.peekLast();
    if (newest != null && stored.meta().lastIncludedIndex() <= newest.meta().lastIncludedIndex()) {
      return;
    }
    kept.addLast(stored);
    while (kept.size() > Math.max(keep, 1)) {
      Stored old = kept.removeFirst();
      old.pruned = keep > 0; // without pruning, a handle keeps its bytes readable
    }
  }

  @Override
  public synchronized Optional<StoredSnapshot> newest() {
    return Optional.ofNullable(kept.peekLast());
  }
}
