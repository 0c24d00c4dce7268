package dev.pontoon.raft.storage.rocksdb;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to a write is refused with {@link IllegalArgumentException} and changes nothing, in
 * memory or on disk (the {@code LogStore} contract: "anything else is refused ... and changes
 * nothing"), as the segment store does.
 */
class RocksDbBadInputTest {
  @TempDir Path dir;

  /**
   * A snapshot whose last included index is {@code Long.MAX_VALUE} leaves no index for the log to
   * start at ({@code lastIncludedIndex + 1} overflows): refused before anything is written.
   */
  @Test
  void aCompactionThroughTheLastPossibleIndexIsRefusedAndChangesNothing() {
    HardState voted = new HardState(3, NodeId.of("n2"), 2);
    IllegalArgumentException refused;
    long firstBefore;
    long lastBefore;
    try (RocksDbLogStore store = open()) {
      store.append(entries(1, 5));
      store.saveHardState(voted);
      store.sync();

      refused = refusal(() -> store.truncatePrefix(Long.MAX_VALUE, 1));
      firstBefore = store.firstIndex();
      lastBefore = store.lastIndex();
      store.sync();
    }
    try (RocksDbLogStore store = open()) {
      assertAll(
          () -> assertNotNull(refused, "the compaction through Long.MAX_VALUE was refused"),
          () -> assertEquals(1, firstBefore, "first index after the refused compaction"),
          () -> assertEquals(5, lastBefore, "last index after the refused compaction"),
          () -> assertEquals(1, store.firstIndex(), "first index after a restart"),
          () -> assertEquals(5, store.lastIndex(), "last index after a restart"),
          () -> assertEquals(voted, store.loadHardState(), "hard state after a restart"),
          () -> assertEquals(entries(1, 5), store.entries(1, 6, Long.MAX_VALUE), "the log after a restart"));
    }
  }

  private RocksDbLogStore open() {
    return RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")));
  }

  /** The {@link IllegalArgumentException} {@code write} threw, or null: the state is checked either way. */
  private static IllegalArgumentException refusal(Runnable write) {
    try {
      write.run();
      return null;
    } catch (IllegalArgumentException e) {
      return e;
    }
  }

  private static List<LogEntry> entries(long from, long to) {
    List<LogEntry> entries = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      entries.add(LogEntry.command(i, 1, Bytes.ofUtf8("v" + i)));
    }
    return entries;
  }
}
