package dev.pontoon.raft.engine.memory;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.ChecksummedInputStream;
import dev.pontoon.raft.storage.SnapshotStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A {@link SnapshotStore} in memory: keeps the newest snapshot committed. "Durable" for as long
 * as the object lives, which is what tests and the simulator, restarting a node on the same
 * store, need. It holds each snapshot in memory: for tests, not for large state.
 *
 * <p><b>Readers.</b> A {@link StoredSnapshot} handle holds its snapshot's bytes, so a snapshot
 * replaced by a newer one stays readable through every handle to it, open stream or not: more
 * than {@link SnapshotStore}'s reader rules ask.
 *
 * <p><b>Threading.</b> Thread-safe; one sink is used by one thread at a time.
 */
public final class InMemorySnapshotStore implements SnapshotStore {

  private Stored newest;

  private record Stored(SnapshotMeta meta, Bytes data, int checksum) implements StoredSnapshot {
    @Override
    public long size() {
      return data.size();
    }

    @Override
    public InputStream open() {
      return new ChecksummedInputStream(new ByteArrayInputStream(data.toByteArray()), data.size(), checksum,
          "snapshot at " + meta.lastIncludedIndex());
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
        byte[] bytes = out.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        keep(new Stored(meta, Bytes.wrap(bytes), (int) crc.getValue()));
      }

      @Override
      public void close() {
        done = true;
      }
    };
  }

  private synchronized void keep(Stored stored) {
    if (newest == null || stored.meta().lastIncludedIndex() > newest.meta().lastIncludedIndex()) {
      newest = stored;
    }
  }

  @Override
  public synchronized Optional<StoredSnapshot> newest() {
    return Optional.ofNullable(newest);
  }
}
