package dev.pontoon.raft.storage.segment;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.storage.SmallFilesystem;
import dev.pontoon.raft.storage.StorageException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spares are an optimisation and must never take the disk's last free space: on a filesystem
 * ({@link SmallFilesystem}) with room for the active segment and less than a spare and a
 * segment's margin besides, the background filler does not start one. Before, it made what fit
 * and then wrote zeros until the disk was full and deleted them, and every other write on that disk meanwhile
 * (the node's snapshot store opening, a snapshot being saved) failed with "No space left on
 * device"; a KV node whose log directory shared a nearly full disk failed to start that way.
 */
class SegmentSpareSpaceTest {
  private static final long SEGMENT = SegmentLogStoreConfig.MIN_SEGMENT_BYTES * 4;

  @TempDir Path temp;
  private SmallFilesystem disk;
  private SegmentFiles files;

  @BeforeEach
  void mount() throws Exception {
    disk = SmallFilesystem.mount(temp.resolve("disk"), SEGMENT * 5 / 2);
  }

  @AfterEach
  void unmount() throws Exception {
    if (files != null) {
      files.close();
    }
    if (disk != null) {
      disk.close();
    }
  }

  @Test
  void noSpareIsStartedWhereTheDiskLacksRoomForItAndASegmentBesides() throws Exception {
    files = new SegmentFiles(disk.root().resolve("log"), SEGMENT);
    files.create(1, 0).close(); // filled by the writer, which then asks for spares
    await().atMost(Duration.ofSeconds(30)).until(() -> !files.fillingSpares());

    assertEquals(0, files.abandonedFills(), "fills that wrote zeros and gave up on a full disk");
    assertEquals(0, files.readySpares(), "spares");
    long free = disk.freeBytes();
    assertTrue(free >= SEGMENT && free < 2 * SEGMENT,
        "room left for the writer's next segment, not for a spare and a segment besides: " + free);
  }

  @Test
  void theWriterStillFillsTheSegmentItNeedsFromTheLastFreeSpace() throws Exception {
    files = new SegmentFiles(disk.root().resolve("log"), SEGMENT);
    files.create(1, 0).close();
    await().atMost(Duration.ofSeconds(30)).until(() -> !files.fillingSpares());

    assertEquals(0, files.readySpares(), "no spare to take (the test's premise)");
    files.create(2, 0).close(); // the log needs it: it fills it itself from what a spare may not take
    StorageException full = assertThrows(StorageException.class, () -> files.create(3, 0));
    assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
  }
}
