package dev.pontoon.raft.storage.segment;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.StorageException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer at its edges: an append too large for any segment, an interrupted caller at rolls and drops, a directory opened twice. */
class SegmentWriterEdgesTest {
  private static final long SMALL_SEGMENT = SegmentLogStoreConfig.MIN_SEGMENT_BYTES;

  @TempDir Path dir;

  private SegmentLogStore open() {
    return SegmentLogStore.open(
        SegmentLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1")).withSegmentBytes(SMALL_SEGMENT));
  }

  private static LogEntry entry(long index, long term) {
    return LogEntry.command(index, term, Bytes.ofUtf8("entry-" + index + "-" + term));
  }

  private static List<LogEntry> entries(long from, long to, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(entry(i, term));
    }
    return out;
  }

  private static List<LogEntry> all(SegmentLogStore store) {
    return store.entries(store.firstIndex(), store.lastIndex() + 1, Long.MAX_VALUE);
  }

  @Test
  void anAppendTooLargeForAnySegmentIsRefusedAndChangesNothing() {
    HardState voted = new HardState(2, NodeId.of("n2"), 0);
    // 2,100 entries sharing one 1 MiB payload: more than 2 GiB of records, which no segment can hold.
    Bytes mebibyte = Bytes.wrap(new byte[1 << 20]);
    List<LogEntry> huge = new ArrayList<>();
    for (long i = 2; i < 2 + 2100; i++) {
      huge.add(LogEntry.command(i, 2, mebibyte));
    }
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 1, 1));
      store.saveHardState(voted);
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> store.append(huge));
      assertTrue(refused.getMessage().contains("too large for one segment"), refused.getMessage());
      assertEquals(1, store.lastIndex(), "nothing appended");
      store.append(entries(2, 3, 2));
      store.sync();
    }
    try (SegmentLogStore store = open()) {
      assertAll(
          () -> assertEquals(entries(1, 1, 1).get(0), all(store).get(0)),
          () -> assertEquals(entries(2, 3, 2), all(store).subList(1, 3)),
          () -> assertEquals(voted, store.loadHardState()));
    }
  }

  @Test
  void anInterruptedWriterRollsAndDropsSegmentsWithoutFailing() {
    long last = 0;
    try (SegmentLogStore store = open()) {
      try {
        for (int round = 0; round < 30; round++) {
          Thread.currentThread().interrupt();
          store.append(entries(last + 1, last + 200, 1));
          last += 200;
          store.truncatePrefix(last - 20, 1);
          store.sync();
          assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is kept");
        }
      } finally {
        Thread.interrupted();
      }
      assertEquals(entries(last - 19, last, 1), all(store));
    }
    try (SegmentLogStore store = open()) {
      assertEquals(entries(last - 19, last, 1), all(store));
    }
  }

  @Test
  void aDirectoryAlreadyOpenIsRefusedUntilItsStoreCloses() {
    try (SegmentLogStore first = open()) {
      first.append(entries(1, 2, 1));
      first.sync();
      StorageException refused = assertThrows(StorageException.class, this::open);
      assertTrue(refused.getMessage().contains("is in use by another open store"), refused.getMessage());
      first.append(entries(3, 3, 1));
      first.sync();
    }
    try (SegmentLogStore again = open()) {
      assertEquals(entries(1, 3, 1), all(again));
    }
  }
}
