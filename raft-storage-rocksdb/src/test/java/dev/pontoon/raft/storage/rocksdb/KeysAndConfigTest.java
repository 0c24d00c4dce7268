package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Key encoding keeps index order under RocksDB's bytewise comparator; bad settings are refused. */
class KeysAndConfigTest {

  @Test
  void bytewiseOrderOfEntryKeysIsIndexOrder() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 10_000; i++) {
      long a = random.nextLong(Long.MAX_VALUE);
      long b = i % 2 == 0 ? a + 1 - random.nextInt(3) : random.nextLong(Long.MAX_VALUE);
      int byKey = Integer.signum(Arrays.compareUnsigned(Keys.entry(a), Keys.entry(b)));
      assertEquals(Integer.signum(Long.compare(a, b)), byKey, a + " vs " + b);
    }
  }

  @Test
  void entryKeyRoundTripsAndStaysBelowTheEndBound() {
    for (long index : new long[] {0, 1, 255, 256, 65_536, Long.MAX_VALUE}) {
      assertAll(
          () -> assertEquals(index, Keys.index(Keys.entry(index))),
          () -> assertTrue(Arrays.compareUnsigned(Keys.entry(index), Keys.AFTER_LAST_ENTRY) < 0));
    }
  }

  @Test
  void negativeIndexHasNoKey() {
    assertThrows(IllegalArgumentException.class, () -> Keys.entry(-1));
  }

  @Test
  void configRefusesBadValuesNamingThem() {
    RocksDbLogStoreConfig ok = RocksDbLogStoreConfig.of(Path.of("x"), ClusterId.of("c"), NodeId.of("n1"));
    assertAll(
        () -> assertThrows(IllegalArgumentException.class, () -> RocksDbLogStoreConfig.of(Path.of("x"), ClusterId.of(" "), NodeId.of("n1"))),
        () -> assertTrue(assertThrows(IllegalArgumentException.class, () -> ok.withWriteBufferBytes(1))
            .getMessage().contains("writeBufferBytes (1)")),
        () -> assertThrows(IllegalArgumentException.class, () -> ok.withBlockCacheBytes(-1)),
        () -> assertThrows(IllegalArgumentException.class, () -> ok.withMaxTotalWalBytes(1000)),
        () -> assertThrows(NullPointerException.class, () -> RocksDbLogStoreConfig.of(null, ClusterId.of("c"), NodeId.of("n1"))));
  }

  @Test
  void configCopiesChangeOneSetting() {
    RocksDbLogStoreConfig config = RocksDbLogStoreConfig.of(Path.of("x"), ClusterId.of("c"), NodeId.of("n1"))
        .withWriteBufferBytes(1 << 20).withBlockCacheBytes(0).withMaxTotalWalBytes(8 << 20).withCompression(true);

    assertEquals(new RocksDbLogStoreConfig(Path.of("x"), ClusterId.of("c"), NodeId.of("n1"), 1 << 20, 0, 8 << 20, true), config);
  }
}
