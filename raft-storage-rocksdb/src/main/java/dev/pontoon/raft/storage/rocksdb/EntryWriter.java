package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.log.LogEntry;
import java.nio.ByteBuffer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Puts log entries into a {@link WriteBatch} in their stored form ({@link EntryCodec}). An entry
 * up to {@link #REUSED_BUFFER_LIMIT} is encoded into a direct buffer kept for the next one
 * (RocksDB copies it into the batch at once), so a write allocates no heap array per entry; a
 * larger one gets an array of its own rather than pinning that much direct memory for the life of
 * the store.
 *
 * <p>Not thread-safe: the store's single writer uses it under its writer lock.
 */
final class EntryWriter {

  /** The largest stored value that is encoded into the reused direct buffer, 1 MiB. */
  static final int REUSED_BUFFER_LIMIT = 1 << 20;

  private final ColumnFamilyHandle entries;
  private final ByteBuffer keyBuffer = ByteBuffer.allocateDirect(8);
  private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(4096);

  EntryWriter(ColumnFamilyHandle entries) {
    this.entries = entries;
  }

  /** Adds {@code e} to {@code batch} under its key. */
  void put(WriteBatch batch, LogEntry e) throws RocksDBException {
    int size = EntryCodec.encodedSize(e);
    if (size > REUSED_BUFFER_LIMIT) {
      batch.put(entries, Keys.entry(e.index()), EntryCodec.encode(e));
      return;
    }
    if (valueBuffer.capacity() < size) {
      valueBuffer = ByteBuffer.allocateDirect(Math.min(REUSED_BUFFER_LIMIT, Integer.highestOneBit(size - 1) << 1));
    }
    keyBuffer.clear();
    keyBuffer.put(Keys.entry(e.index())).flip();
    batch.put(entries, keyBuffer, EntryCodec.encode(e, valueBuffer));
  }
}
