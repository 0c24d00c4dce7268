package dev.pontoon.raft.storage.segment;

import static dev.pontoon.raft.storage.segment.SegmentEntries.all;
import static dev.pontoon.raft.storage.segment.SegmentEntries.entries;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input to a write is refused with {@link IllegalArgumentException} and changes nothing, in
 * memory or on disk: a record written for it would be replayed at every later open.
 */
class SegmentBadInputTest {

  @TempDir Path dir;

  private SegmentLogStore open() {
    return SegmentLogStore.open(SegmentLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1"))
        .withSegmentBytes(SegmentLogStoreConfig.MIN_SEGMENT_BYTES));
  }

  /**
   * A snapshot whose last included index is {@code Long.MAX_VALUE} leaves no index for the log to
   * start at ({@code lastIncludedIndex + 1} overflows): refused before its record is written.
   */
  @Test
  void aCompactionThroughTheLastPossibleIndexIsRefusedAndChangesNothing() {
    HardState voted = new HardState(3, NodeId.of("n2"), 2);
    try (SegmentLogStore store = open()) {
      store.append(entries(1, 5, 3));
      store.saveHardState(voted);
      store.sync();

      assertThrows(IllegalArgumentException.class, () -> store.truncatePrefix(Long.MAX_VALUE, 3));
      assertEquals(entries(1, 5, 3), all(store), "the log after the refused compaction");
      store.sync();
    }
    try (SegmentLogStore store = open()) {
      assertAll(
          () -> assertEquals(entries(1, 5, 3), all(store), "the log after a restart"),
          () -> assertEquals(voted, store.loadHardState(), "hard state after a restart"));
    }
  }
}
