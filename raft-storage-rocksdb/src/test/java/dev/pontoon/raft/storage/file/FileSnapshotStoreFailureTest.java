package dev.pontoon.raft.storage.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.SnapshotStore.SnapshotSink;
import dev.pontoon.raft.storage.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the snapshot store does when its files, its directory or its caller go wrong. */
class FileSnapshotStoreFailureTest {
  private static final ClusterId CLUSTER = ClusterId.of("c1");

  @TempDir Path dir;

  private static Snapshot snapshot(long index, long term, String data) {
    return new Snapshot(new SnapshotMeta(index, term, ClusterConfig.ofVoters("n1", "n2", "n3")), Bytes.ofUtf8(data));
  }

  private static SnapshotMeta meta(long index) {
    return new SnapshotMeta(index, 1, ClusterConfig.ofVoters("n1"));
  }

  private void damage(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 20] ^= 0x01;
    Files.write(file, bytes);
  }

  private List<Path> snapshotFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".snap")).sorted().toList();
    }
  }

  private List<String> fileNames() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /** A restart loop must keep refusing: an empty store would start the node from index 1, or mislead about why not. */
  @Test
  void whenNoSnapshotIsIntactEveryOpenRefusesAndNothingIsMoved() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));
      store.save(snapshot(20, 3, "state at 20"));
    }
    for (Path file : snapshotFiles()) {
      damage(file);
    }
    List<String> before = fileNames();

    assertThrows(CorruptedLogException.class, () -> FileSnapshotStore.open(dir));
    assertEquals(before, fileNames(), "the damaged files stay where the operator will look");
    assertThrows(CorruptedLogException.class, () -> FileSnapshotStore.open(dir), "the second open refuses too");
  }

  @Test
  void anOpenRefusedForAnotherNodeDeletesNothingOfTheOwnersWrite() throws IOException {
    try (FileSnapshotStore owner = FileSnapshotStore.open(dir, CLUSTER, NodeId.of("n1"))) {
      SnapshotSink sink = owner.create(meta(10));
      sink.stream().write(new byte[] {1, 2, 3});

      assertThrows(StorageException.class, () -> FileSnapshotStore.open(dir, CLUSTER, NodeId.of("n2")));

      sink.commit();
      assertEquals(10, owner.newest().orElseThrow().meta().lastIncludedIndex());
    }
  }

  @Test
  void aCommitOnAClosedStoreFailsAndLeavesNoTemporaryFile() throws IOException {
    FileSnapshotStore store = FileSnapshotStore.open(dir);
    SnapshotSink sink = store.create(meta(10));
    sink.stream().write(new byte[1 << 16]);
    store.close();

    assertThrows(StorageException.class, sink::commit);
    sink.close();
    assertEquals(List.of(), fileNames().stream().filter(n -> n.endsWith(".tmp")).toList());
  }

  /** Once the new snapshot is in place, pruning an old one is housekeeping: the next open retries it. */
  @Test
  void anOldSnapshotThatCannotBeDeletedDoesNotFailTheCommit() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir, null, null, 1)) {
      store.save(snapshot(10, 2, "a"));
      // An entry that deleteIfExists refuses: a non-empty directory under the old snapshot's name.
      Path old = snapshotFiles().get(0);
      Files.delete(old);
      Files.createDirectory(old);
      Files.writeString(old.resolve("in-the-way"), "x");

      store.save(snapshot(20, 3, "b"));

      assertEquals(Optional.of(snapshot(20, 3, "b")), store.latest());
    }
    assertTrue(fileNames().contains("snapshot-00000000000000000020-00000000000000000003.snap"), fileNames().toString());
  }
}
