package dev.pontoon.raft.storage.file;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
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
import dev.pontoon.raft.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreTest {
  @TempDir Path dir;

  private static Snapshot snapshot(long index, long term, String data) {
    return new Snapshot(new SnapshotMeta(index, term, ClusterConfig.ofVoters("n1", "n2", "n3")), Bytes.ofUtf8(data));
  }

  @Test
  void newStoreHasNoSnapshot() {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      assertEquals(Optional.empty(), store.latest());
    }
  }

  @Test
  void savedSnapshotIsTheLatestWithItsMetaAndData() {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));

      assertEquals(Optional.of(snapshot(10, 2, "state at 10")), store.latest());
    }
  }

  @Test
  void latestSurvivesReopen() {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));
      store.save(snapshot(20, 3, "state at 20"));
    }

    try (FileSnapshotStore reopened = FileSnapshotStore.open(dir)) {
      assertEquals(Optional.of(snapshot(20, 3, "state at 20")), reopened.latest());
    }
  }

  @Test
  void emptyDataAndLargeDataRoundTrip() {
    byte[] big = new byte[3 << 20];
    new SplittableRandom(7).nextBytes(big);
    Snapshot large = new Snapshot(new SnapshotMeta(5, 1, ClusterConfig.ofVoters("n1")), Bytes.of(big));
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(1, 1, ""));
      assertEquals(Optional.of(snapshot(1, 1, "")), store.latest());

      store.save(large);
      assertEquals(Optional.of(large), store.latest());
    }
  }

  @Test
  void olderOrEqualSnapshotIsIgnored() {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(20, 3, "state at 20"));

      store.save(snapshot(10, 2, "older"));
      store.save(snapshot(20, 3, "same index"));

      assertEquals(Optional.of(snapshot(20, 3, "state at 20")), store.latest());
    }
  }

  @Test
  void theNewestTwoAreKeptByDefault() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "a"));
      store.save(snapshot(20, 3, "b"));
      store.save(snapshot(30, 3, "c"));
    }

    assertEquals(List.of("snapshot-00000000000000000020-00000000000000000003.snap",
        "snapshot-00000000000000000030-00000000000000000003.snap"), fileNames());
  }

  @Test
  void keepOneReplacesTheOlderFile() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir, null, null, 1)) {
      store.save(snapshot(10, 2, "a"));
      store.save(snapshot(20, 3, "b"));
    }

    assertEquals(List.of("snapshot-00000000000000000020-00000000000000000003.snap"), fileNames());
  }

  /**
   * A pruned snapshot's file stays while a stream over it is open (the store's reader rule, which
   * a leader streaming it to a follower relies on), and goes when the last one closes, on every
   * operating system alike: the store counts the readers rather than count on POSIX unlink.
   */
  @Test
  void prunedSnapshotFileIsDeletedWhenItsLastReaderCloses() throws IOException {
    String s10 = "snapshot-00000000000000000010-00000000000000000002.snap";
    String s20 = "snapshot-00000000000000000020-00000000000000000003.snap";
    try (FileSnapshotStore store = FileSnapshotStore.open(dir, null, null, 1)) {
      store.save(snapshot(10, 2, "a"));
      var stored = store.newest().orElseThrow();
      InputStream first = stored.open();
      InputStream second = stored.open();

      store.save(snapshot(20, 3, "b"));
      List<String> whileRead = fileNames();
      first.close();
      first.close(); // closing twice counts once
      List<String> whileOneReads = fileNames();
      second.close();

      assertAll(
          () -> assertEquals(List.of(s10, s20), whileRead),
          () -> assertEquals(List.of(s10, s20), whileOneReads),
          () -> assertEquals(List.of(s20), fileNames()));
    }
  }

  @Test
  void prunedSnapshotWithoutReadersCannotBeOpenedAndSaysWhy() {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir, null, null, 1)) {
      store.save(snapshot(10, 2, "a"));
      var stored = store.newest().orElseThrow();

      store.save(snapshot(20, 3, "b"));

      NoSuchFileException e = assertThrows(NoSuchFileException.class, stored::open);
      assertTrue(e.getMessage().contains("snapshot-00000000000000000010-00000000000000000002.snap")
          && e.getMessage().contains("pruned"), e.getMessage());
    }
  }

  @Test
  void corruptNewestSnapshotFallsBackToThePreviousOne() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));
      store.save(snapshot(20, 3, "state at 20"));
    }
    Path newest = dir.resolve("snapshot-00000000000000000020-00000000000000000003.snap");
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length - 20] ^= 0x01; // inside the data
    Files.write(newest, bytes);

    try (FileSnapshotStore reopened = FileSnapshotStore.open(dir)) {
      assertAll(
          () -> assertEquals(Optional.of(snapshot(10, 2, "state at 10")), reopened.latest()),
          () -> assertTrue(fileNames().contains(newest.getFileName() + ".corrupt"), fileNames().toString()));
    }
  }

  @Test
  void streamedSnapshotIsReadBackAsAStreamAndChecked() throws IOException {
    byte[] big = new byte[5 << 20];
    new SplittableRandom(3).nextBytes(big);
    SnapshotMeta meta = new SnapshotMeta(7, 1, ClusterConfig.ofVoters("n1"));
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      try (var sink = store.create(meta)) {
        for (int i = 0; i < big.length; i += 4096) {
          sink.stream().write(big, i, Math.min(4096, big.length - i));
        }
        sink.commit();
      }
      var stored = store.newest().orElseThrow();
      assertEquals(big.length, stored.size());
      try (var in = stored.open()) {
        assertTrue(Arrays.equals(big, in.readAllBytes()));
      }
    }
  }

  @Test
  void truncatedDataIsReportedByTheReader() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));
      Path file = dir.resolve(fileNames().get(0));
      byte[] bytes = Files.readAllBytes(file);
      Files.write(file, Arrays.copyOf(bytes, bytes.length - 20));

      assertThrows(StorageException.class, store::latest);
    }
  }

  @Test
  void uncommittedSinkLeavesNothingBehind() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      try (var sink = store.create(new SnapshotMeta(5, 1, ClusterConfig.ofVoters("n1")))) {
        sink.stream().write(new byte[] {1, 2, 3});
      }
      assertAll(() -> assertEquals(Optional.empty(), store.newest()), () -> assertEquals(List.of(), fileNames()));
    }
  }

  @Test
  void storeOfAnotherNodeOrClusterIsRefusedNamingBoth() {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir, ClusterId.of("c1"), NodeId.of("n1"))) {
      store.save(snapshot(10, 2, "a"));
    }

    StorageException otherNode = assertThrows(StorageException.class,
        () -> FileSnapshotStore.open(dir, ClusterId.of("c1"), NodeId.of("n2")));
    StorageException otherCluster = assertThrows(StorageException.class,
        () -> FileSnapshotStore.open(dir, ClusterId.of("c2"), NodeId.of("n1")));
    assertAll(
        () -> assertTrue(otherNode.getMessage().contains("node n1") && otherNode.getMessage().contains("node n2"),
            otherNode.getMessage()),
        () -> assertTrue(otherCluster.getMessage().contains("cluster c2"), otherCluster.getMessage()),
        () -> assertDoesNotThrow(() -> FileSnapshotStore.open(dir, ClusterId.of("c1"), NodeId.of("n1")).close()));
  }

  @Test
  void directoryWithSnapshotsButNoIdentityIsRefused() {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "a"));
    }

    assertThrows(StorageException.class, () -> FileSnapshotStore.open(dir, ClusterId.of("c1"), NodeId.of("n1")));
  }

  @Test
  void flippedByteIsReportedNamingTheFile() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));
    }
    Path file = dir.resolve(fileNames().get(0));
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 8] ^= 0x01;
    Files.write(file, bytes);

    CorruptedLogException e = assertThrows(CorruptedLogException.class, () -> FileSnapshotStore.open(dir));

    assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("CRC32C"), e.getMessage());
  }

  @Test
  void truncatedFileIsReported() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));
    }
    Path file = dir.resolve(fileNames().get(0));
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, 12));

    assertThrows(CorruptedLogException.class, () -> FileSnapshotStore.open(dir));
  }

  @Test
  void damageAfterOpenIsReportedByLatest() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));
      Path file = dir.resolve(fileNames().get(0));
      Files.write(file, new byte[] {1, 2, 3});

      assertThrows(CorruptedLogException.class, store::latest);
    }
  }

  @Test
  void leftoverTemporaryFileOfACrashedSaveIsRemovedAndIgnored() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(snapshot(10, 2, "state at 10"));
    }
    Files.write(dir.resolve("snapshot-00000000000000000030-00000000000000000004.snap.tmp"), new byte[] {9, 9});

    try (FileSnapshotStore reopened = FileSnapshotStore.open(dir)) {
      assertAll(
          () -> assertEquals(Optional.of(snapshot(10, 2, "state at 10")), reopened.latest()),
          () -> assertEquals(List.of("snapshot-00000000000000000010-00000000000000000002.snap"), fileNames()));
    }
  }

  @Test
  void olderSnapshotLeftByACrashBeforeItsDeletionIsRemovedOnOpen() throws IOException {
    try (FileSnapshotStore store = FileSnapshotStore.open(dir, null, null, 1)) {
      store.save(snapshot(10, 2, "a"));
    }
    Path older = dir.resolve(fileNames().get(0));
    byte[] olderBytes = Files.readAllBytes(older);
    try (FileSnapshotStore store = FileSnapshotStore.open(dir, null, null, 1)) {
      store.save(snapshot(20, 3, "b"));
    }
    Files.write(older, olderBytes);

    try (FileSnapshotStore reopened = FileSnapshotStore.open(dir, null, null, 1)) {
      assertAll(
          () -> assertEquals(Optional.of(snapshot(20, 3, "b")), reopened.latest()),
          () -> assertEquals(1, fileNames().size()));
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() {
    FileSnapshotStore store = FileSnapshotStore.open(dir);
    store.close();

    assertAll(
        () -> assertDoesNotThrow(store::close),
        () -> assertThrows(StorageException.class, store::latest),
        () -> assertThrows(StorageException.class, () -> store.save(snapshot(1, 1, "x"))));
  }

  private List<String> fileNames() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
