package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries are stored through a reused direct buffer up to {@link EntryWriter#REUSED_BUFFER_LIMIT}
 * and through an array of their own above it; both paths must store the same bytes, and a buffer
 * reused for a shorter entry must not leak the tail of a longer one.
 */
class StoredValueEncodingTest {
  private static final int LIMIT = EntryWriter.REUSED_BUFFER_LIMIT;
  /** Payload sizes around every boundary: empty, the initial buffer, its growth, the limit, above it. */
  private static final int[] SIZES = {0, 1, 4096 - 13, 4096 - 12, 16384, 5, LIMIT - 13, LIMIT - 12, 3 * LIMIT, 7};

  @TempDir Path dir;

  @Test
  void aValueEncodedIntoADirectBufferEqualsTheArrayEncoding() {
    Random random = new Random(16);
    ByteBuffer reused = ByteBuffer.allocateDirect(LIMIT);
    for (int size : SIZES) {
      LogEntry entry = LogEntry.command(1_000 + size, 7, payload(random, size));
      byte[] fromBuffer = new byte[EntryCodec.encodedSize(entry)];
      if (fromBuffer.length <= LIMIT) {
        EntryCodec.encode(entry, reused).get(fromBuffer);
        assertArrayEquals(EntryCodec.encode(entry), fromBuffer, "payload of " + size + " bytes");
      }
      assertEquals(entry, EntryCodec.decode(entry.index(), EntryCodec.encode(entry), "test"));
    }
  }

  @Test
  void entriesOfEverySizeReadBackUnchangedAfterReopen() {
    Random random = new Random(42);
    List<LogEntry> written = new ArrayList<>();
    long index = 1;
    try (RocksDbLogStore store = open()) {
      for (int size : SIZES) {
        LogEntry entry = LogEntry.command(index++, 1, payload(random, size));
        store.append(List.of(entry));
        written.add(entry);
      }
      // The same sizes again in one batch: the buffer is reused within a batch as well.
      List<LogEntry> batch = new ArrayList<>();
      for (int size : SIZES) {
        batch.add(LogEntry.command(index++, 2, payload(random, size)));
      }
      store.append(batch);
      written.addAll(batch);
      store.sync();
      assertEquals(written, store.entries(1, index, Long.MAX_VALUE));
    }
    try (RocksDbLogStore store = open()) {
      assertEquals(written, store.entries(1, index, Long.MAX_VALUE));
    }
  }

  private static Bytes payload(Random random, int size) {
    byte[] data = new byte[size];
    random.nextBytes(data);
    return Bytes.wrap(data);
  }

  private RocksDbLogStore open() {
    return RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")));
  }
}
