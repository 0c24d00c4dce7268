package dev.pontoon.raft.storage.segment;

import static dev.pontoon.raft.storage.segment.SegmentEntries.entry;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records that wait in the writer's buffer for the next write (truncations, hard states) and the
 * roll that seals a segment while they wait: the end record goes in after them, whatever room the
 * buffer has left.
 */
class SegmentBufferedRecordsTest {
  /** Larger than the write buffer's first size (64 KiB), so that the buffer can fill before the segment does. */
  private static final long SEGMENT = 2 * SegmentLogStoreConfig.MIN_SEGMENT_BYTES;

  @TempDir Path dir;

  private SegmentLogStore open() {
    return SegmentLogStore.open(SegmentLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1"))
        .withSegmentBytes(SEGMENT));
  }

  /**
   * A run of compactions with no append and no sync between them (each moves the log's start one
   * past the last, as a snapshot beyond the log does) buffers one 45-byte record per call; when the
   * segment fills just as the buffer does, the roll must still seal the segment and go on.
   */
  @Test
  void aRollWhileTruncationsFillTheWriteBufferSealsTheSegmentAndLosesNothing() throws IOException {
    int compactions = 1500;
    try (SegmentLogStore store = open()) {
      Path segment = SegmentImage.segments(dir).get(0);
      int start = SegmentImage.read(segment).records.get(0).length();
      // Two appends (each below the buffer's size, so that it stays 64 KiB) end the segment's
      // records at offset 65,500: the 1,457th buffered compaction then needs the next segment,
      // while the buffer holds 1,456 of them, 65,520 bytes, 16 short of its end.
      int first = 30_000;
      int second = 65_500 - start - 2 * (Records.HEADER + Records.ENTRY_FIXED) - first;
      store.append(List.of(entry(1, 1, first)));
      store.append(List.of(entry(2, 1, second)));
      store.sync();

      for (long index = 1; index <= compactions; index++) {
        store.truncatePrefix(index, 1);
      }
      store.sync();
    }
    try (SegmentLogStore store = open()) {
      assertAll(
          () -> assertEquals(compactions + 1, store.firstIndex(), "firstIndex"),
          () -> assertEquals(compactions, store.lastIndex(), "lastIndex"),
          () -> assertEquals(1, store.term(compactions), "the term before the log"),
          () -> assertEquals(new HardState(0, null, compactions), store.loadHardState(), "hard state"));
    }
  }
}
