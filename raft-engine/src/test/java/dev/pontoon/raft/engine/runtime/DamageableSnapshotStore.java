package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.ChecksummedInputStream;
import dev.pontoon.raft.storage.SnapshotStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * A {@link SnapshotStore} over another whose snapshots up to an index can be damaged as a disk
 * damages a file: one byte of each reads flipped, so a stream over it fails its checksum at its
 * end, as a file store's does. Snapshots committed later read sound.
 */
final class DamageableSnapshotStore implements SnapshotStore {

  private final SnapshotStore delegate;
  private volatile long damagedThrough = -1;

  DamageableSnapshotStore(SnapshotStore delegate) {
    this.delegate = delegate;
  }

  /** From now on, every snapshot up to {@code index} reads with its first byte flipped. */
  void damageThrough(long index) {
    damagedThrough = index;
  }

  @Override
  public SnapshotSink create(SnapshotMeta meta) {
    return delegate.create(meta);
  }

  @Override
  public Optional<StoredSnapshot> newest() {
    return delegate.newest().map(s -> s.meta().lastIncludedIndex() <= damagedThrough ? damaged(s) : s);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** {@code sound} read with its first byte flipped, through a stream that checks it as read. */
  private static StoredSnapshot damaged(StoredSnapshot sound) {
    return new ReadAs(sound, () -> {
      // The sound stream checks the bytes as stored; the outer one checks them as read.
      InputStream flipped = new FilterInputStream(sound.open()) {
        private long position;

        @Override
        public int read() throws IOException {
          int b = super.read();
          return b < 0 ? b : flip(b, position++);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int n = super.read(b, off, len);
          for (int i = 0; i < n; i++) {
            b[off + i] = (byte) flip(b[off + i], position++);
          }
          return n;
        }

        @Override
        public long skip(long n) throws IOException {
          long skipped = super.skip(n);
          position += skipped;
          return skipped;
        }
      };
      return new ChecksummedInputStream(flipped, sound.size(), sound.checksum(),
          "damaged snapshot at " + sound.meta().lastIncludedIndex());
    });
  }

  private static int flip(int b, long position) {
    return position == 0 ? (b ^ 0x01) & 0xff : b & 0xff;
  }
}
