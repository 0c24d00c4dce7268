package dev.pontoon.raft.storage.segment;

import static dev.pontoon.raft.storage.segment.SegmentEntries.appendOneByOne;
import static dev.pontoon.raft.storage.segment.SegmentEntries.syncedIntoSecondSegment;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment file shorter than any segment can be, which no crash leaves: every segment is made
 * from a file filled (and synced) to at least {@link SegmentLogStoreConfig#MIN_SEGMENT_BYTES}
 * before it is renamed into place, and the writer never shortens one. A file found shorter was cut
 * by something else (a damaged filesystem, a copy or a restore that stopped part-way), and what it
 * held may have been synced: the open refuses it with {@link CorruptedLogException} naming the
 * segment, and leaves the file as it is, instead of taking it for a roll cut short.
 */
class SegmentCutShortFileTest {

  @TempDir Path dir;

  private SegmentLogStore open() {
    return SegmentLogStore.open(SegmentLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1"))
        .withSegmentBytes(SegmentLogStoreConfig.MIN_SEGMENT_BYTES));
  }

  private static void cutTo(Path file, long bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(bytes);
    }
  }

  /** The open's refusal; fails the test with what the open recovered instead. */
  private CorruptedLogException refusedOpen(String synced) {
    try (SegmentLogStore store = open()) {
      return fail(synced + ", yet the open recovered the log [" + store.firstIndex() + ", " + store.lastIndex()
          + "] and " + store.loadHardState());
    } catch (CorruptedLogException refused) {
      return refused;
    }
  }

  @Test
  void aLastSegmentCutToNothingRefusesTheOpenRatherThanDroppingItsSyncedEntries() throws IOException {
    long synced;
    try (SegmentLogStore store = open()) {
      synced = syncedIntoSecondSegment(store, dir);
    }
    List<Path> segments = SegmentImage.segments(dir);
    cutTo(segments.get(1), 0);

    CorruptedLogException e = refusedOpen("entries up to " + synced + " were synced, the last ones in segment 2");
    assertAll(
        () -> assertTrue(e.getMessage().contains("segment 2"), e.getMessage()),
        () -> assertEquals(segments, SegmentImage.segments(dir), "the refused open renamed or deleted nothing"));
  }

  @Test
  void anOnlySegmentCutToNothingRefusesTheOpenWithACorruptedLogError() throws IOException {
    try (SegmentLogStore store = open()) {
      store.saveHardState(new HardState(5, NodeId.of("n2"), 0));
      appendOneByOne(store, 1, 3, 5, true);
    }
    Path segment = SegmentImage.segments(dir).get(0);
    cutTo(segment, 0);

    CorruptedLogException e = refusedOpen("a vote in term 5 and entries 1-3 were synced");
    assertTrue(e.getMessage().contains("segment 1"), e.getMessage());
  }

  @Test
  void aLastSegmentCutInsideItsStartRecordRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      syncedIntoSecondSegment(store, dir);
    }
    List<Path> segments = SegmentImage.segments(dir);
    cutTo(segments.get(1), 12);

    CorruptedLogException e = refusedOpen("segment 2 held synced entries");
    assertTrue(e.getMessage().contains("segment 2"), e.getMessage());
  }
}
