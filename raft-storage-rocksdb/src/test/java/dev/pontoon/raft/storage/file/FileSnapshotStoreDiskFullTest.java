package dev.pontoon.raft.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.SmallFilesystem;
import dev.pontoon.raft.storage.SnapshotStore.SnapshotSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot store on a filesystem that really fills ({@link SmallFilesystem}; skipped where
 * none can be mounted): a snapshot that does not fit fails naming the full disk, and loses
 * nothing: the kept snapshot still reads back whole, the partial file is gone (its space
 * freed), and the next snapshot that fits is saved.
 */
class FileSnapshotStoreDiskFullTest {
  private static final ClusterId CLUSTER = ClusterId.of("c1");
  private static final NodeId NODE = NodeId.of("n1");
  private static final long DISK_BYTES = 2L << 20;

  @TempDir Path temp;
  private SmallFilesystem disk;

  @BeforeEach
  void mount() throws Exception {
    disk = SmallFilesystem.mount(temp.resolve("disk"), DISK_BYTES);
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      disk.close();
    }
  }

  private static Snapshot snapshot(long index, String data) {
    return new Snapshot(new SnapshotMeta(index, 1, ClusterConfig.ofVoters("n1", "n2", "n3")), Bytes.ofUtf8(data));
  }

  @Test
  void aSnapshotThatDoesNotFitFailsNamingTheFullDiskAndTheKeptSnapshotAndTheFreeSpaceSurvive() throws Exception {
    Path dir = disk.root().resolve("snapshots");
    try (FileSnapshotStore store = FileSnapshotStore.open(dir, CLUSTER, NODE)) {
      store.save(snapshot(10, "state at 10"));
      long freeBefore = disk.freeBytes();

      Exception failure = null;
      try (SnapshotSink sink = store.create(new SnapshotMeta(20, 1, ClusterConfig.ofVoters("n1", "n2", "n3")))) {
        byte[] chunk = new byte[64 << 10];
        for (long written = 0; written < 4 * DISK_BYTES; written += chunk.length) {
          sink.stream().write(chunk);
        }
        sink.commit();
      } catch (IOException | RuntimeException e) {
        failure = e;
      }
      if (failure == null) {
        fail("a snapshot of " + 4 * DISK_BYTES + " bytes was saved on a disk of " + DISK_BYTES);
      }
      assertTrue(SmallFilesystem.namesFullDisk(failure), "the failure names the full disk: " + failure);
      assertEquals(List.of(), temporaries(dir), "the partial snapshot's file is gone");
      assertTrue(disk.freeBytes() >= freeBefore, "its space is free again: " + disk.freeBytes() + " < " + freeBefore);
      assertEquals(Optional.of(snapshot(10, "state at 10")), store.latest(), "the kept snapshot");

      store.save(snapshot(30, "state at 30"));
      assertEquals(Optional.of(snapshot(30, "state at 30")), store.latest(), "the next snapshot that fits");
    }
    try (FileSnapshotStore reopened = FileSnapshotStore.open(dir, CLUSTER, NODE)) {
      assertEquals(Optional.of(snapshot(30, "state at 30")), reopened.latest(), "after a restart");
    }
  }

  private static List<String> temporaries(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
    }
  }
}
