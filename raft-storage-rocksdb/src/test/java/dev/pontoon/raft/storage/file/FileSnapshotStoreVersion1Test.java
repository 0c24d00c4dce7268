package dev.pontoon.raft.storage.file;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot files of the previous release (format version 1) are read, so that a node whose log
 * was compacted behind one still starts after an upgrade. The files are built here byte by byte
 * from that format's description, not with the current writer:
 *
 * <pre>
 *  magic "PNTNSNAP" (8) | version 1 (4) | lastIncludedIndex (8) | lastIncludedTerm (8)
 *  | config length (4) | config bytes | data length (4) | data bytes | CRC32C of all before (4)
 * </pre>
 *
 * with the configuration in its first encoding (voter count, voters as modified UTF-8, learner
 * count, learners) and files named {@code snapshot-<index, 20 digits>-<term, 20 digits>.snap}.
 */
class FileSnapshotStoreVersion1Test {
  @TempDir Path dir;

  @Test
  void version1FileIsReadAsASnapshotWithItsMetaDataAndChecksum() throws IOException {
    byte[] data = "state at 10 written by the previous release".getBytes(StandardCharsets.UTF_8);
    writeVersion1(10, 2, List.of("n1", "n2", "n3"), List.of("n4"), data);

    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      var stored = store.newest().orElseThrow();
      ClusterConfig config = new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")),
          Set.of(NodeId.of("n4")));
      assertAll(
          () -> assertEquals(new SnapshotMeta(10, 2, config), stored.meta()),
          () -> assertEquals(data.length, stored.size()),
          () -> assertEquals(crc32c(data, data.length), stored.checksum()),
          () -> assertEquals(Optional.of(new Snapshot(stored.meta(), Bytes.of(data))), store.latest()));
    }
  }

  @Test
  void emptyVersion1SnapshotIsRead() throws IOException {
    writeVersion1(3, 1, List.of("n1"), List.of(), new byte[0]);

    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      assertEquals(Optional.of(new Snapshot(new SnapshotMeta(3, 1, ClusterConfig.ofVoters("n1")), Bytes.of(new byte[0]))),
          store.latest());
    }
  }

  @Test
  void newSnapshotsAreWrittenAsVersion2AndPruneVersion1FilesAsUsual() throws IOException {
    Path old = writeVersion1(10, 2, List.of("n1"), List.of(), new byte[] {1, 2, 3});

    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(new Snapshot(new SnapshotMeta(20, 3, ClusterConfig.ofVoters("n1")), Bytes.ofUtf8("b")));
      assertTrue(Files.exists(old), "the version 1 snapshot is still one of the newest two");
      store.save(new Snapshot(new SnapshotMeta(30, 3, ClusterConfig.ofVoters("n1")), Bytes.ofUtf8("c")));
    }

    Path newer = dir.resolve("snapshot-00000000000000000020-00000000000000000003.snap");
    assertAll(
        () -> assertEquals(List.of(newer.getFileName().toString(),
            "snapshot-00000000000000000030-00000000000000000003.snap"), fileNames()),
        () -> assertEquals(2, ByteBuffer.wrap(Files.readAllBytes(newer), 8, 4).getInt(), "format version"));
  }

  @Test
  void version1SnapshotIsNotReplacedByANewOneAtTheSameIndex() throws IOException {
    byte[] data = {7, 7, 7};
    writeVersion1(10, 2, List.of("n1"), List.of(), data);

    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(new Snapshot(new SnapshotMeta(10, 2, ClusterConfig.ofVoters("n1")), Bytes.ofUtf8("other")));

      assertArrayEquals(data, store.latest().orElseThrow().data().toByteArray());
    }
  }

  @Test
  void flippedByteInAVersion1FileIsReportedLikeInAVersion2One() throws IOException {
    Path file = writeVersion1(10, 2, List.of("n1"), List.of(), "state at 10".getBytes(StandardCharsets.UTF_8));
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 6] ^= 0x01; // inside the data
    Files.write(file, bytes);

    CorruptedLogException e = assertThrows(CorruptedLogException.class, () -> FileSnapshotStore.open(dir));

    assertAll(
        () -> assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("CRC32C"), e.getMessage()),
        () -> assertEquals(List.of(file.getFileName().toString()), fileNames(), "the only snapshot is not moved aside"));
  }

  @Test
  void damagedNewestVersion1FileFallsBackToThePreviousOne() throws IOException {
    writeVersion1(10, 2, List.of("n1"), List.of(), new byte[] {1});
    Path newest = writeVersion1(20, 3, List.of("n1"), List.of(), new byte[] {2, 2});
    byte[] bytes = Files.readAllBytes(newest);
    bytes[20] ^= 0x40; // inside lastIncludedTerm: only the checksum can tell
    Files.write(newest, bytes);

    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      assertAll(
          () -> assertEquals(10, store.newest().orElseThrow().meta().lastIncludedIndex()),
          () -> assertTrue(fileNames().contains(newest.getFileName() + ".corrupt"), fileNames().toString()));
    }
  }

  @Test
  void truncatedVersion1FileIsReported() throws IOException {
    Path file = writeVersion1(10, 2, List.of("n1"), List.of(), "state at 10".getBytes(StandardCharsets.UTF_8));
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));

    assertThrows(CorruptedLogException.class, () -> FileSnapshotStore.open(dir));
  }

  @Test
  void damageToAVersion1FileAfterOpenIsReportedByItsReader() throws IOException {
    Path file = writeVersion1(10, 2, List.of("n1"), List.of(), "state at 10".getBytes(StandardCharsets.UTF_8));

    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      byte[] bytes = Files.readAllBytes(file);
      bytes[bytes.length - 6] ^= 0x01;
      Files.write(file, bytes);

      assertThrows(StorageException.class, store::latest);
    }
  }

  @Test
  void directoryOfVersion1FilesAdoptsTheIdentityGivenAtOpen() throws IOException {
    writeVersion1(10, 2, List.of("n1"), List.of(), new byte[] {1});

    try (FileSnapshotStore store = FileSnapshotStore.open(dir, ClusterId.of("c1"), NodeId.of("n1"))) {
      assertEquals(10, store.newest().orElseThrow().meta().lastIncludedIndex());
    }

    assertAll(
        () -> assertTrue(Files.exists(dir.resolve("identity"))),
        () -> assertThrows(StorageException.class,
            () -> FileSnapshotStore.open(dir, ClusterId.of("c1"), NodeId.of("n2"))));
  }

  @Test
  void directoryMixingVersion1AndVersion2FilesWithoutIdentityIsRefused() throws IOException {
    writeVersion1(10, 2, List.of("n1"), List.of(), new byte[] {1});
    try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
      store.save(new Snapshot(new SnapshotMeta(20, 3, ClusterConfig.ofVoters("n1")), Bytes.ofUtf8("b")));
    }

    StorageException e = assertThrows(StorageException.class,
        () -> FileSnapshotStore.open(dir, ClusterId.of("c1"), NodeId.of("n1")));

    assertTrue(e.getMessage().contains("no store identity"), e.getMessage());
  }

  /** Writes a snapshot file exactly as the previous release did. */
  private Path writeVersion1(long index, long term, List<String> voters, List<String> learners, byte[] data)
      throws IOException {
    ByteArrayOutputStream configBytes = new ByteArrayOutputStream();
    try (DataOutputStream config = new DataOutputStream(configBytes)) {
      config.writeInt(voters.size());
      for (String voter : voters) {
        config.writeUTF(voter);
      }
      config.writeInt(learners.size());
      for (String learner : learners) {
        config.writeUTF(learner);
      }
    }
    ByteArrayOutputStream fileBytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(fileBytes)) {
      out.write("PNTNSNAP".getBytes(StandardCharsets.US_ASCII));
      out.writeInt(1);
      out.writeLong(index);
      out.writeLong(term);
      out.writeInt(configBytes.size());
      configBytes.writeTo(out);
      out.writeInt(data.length);
      out.write(data);
      out.flush();
      out.writeInt(crc32c(fileBytes.toByteArray(), fileBytes.size()));
    }
    Path file = dir.resolve(String.format("snapshot-%020d-%020d.snap", index, term));
    Files.write(file, fileBytes.toByteArray());
    return file;
  }

  private static int crc32c(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private List<String> fileNames() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
