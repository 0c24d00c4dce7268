package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.SnapshotStore.StoredSnapshot;
import java.io.IOException;
import java.io.InputStream;

/**
 * A stored snapshot that is {@code stored} in all but how it reads: {@link #open()} returns what
 * {@code opener} makes, for tests that need a stream built a certain way (damaged, or closed as a
 * file store's is).
 */
record ReadAs(StoredSnapshot stored, Opener opener) implements StoredSnapshot {

  /** Makes the stream a snapshot reads through. */
  @FunctionalInterface
  interface Opener {
    InputStream open() throws IOException;
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
    return opener.open();
  }
}
