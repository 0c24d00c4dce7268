package dev.pontoon.raft.storage.file;

import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SnapshotStore} keeping the latest snapshot as one checksummed file in a directory of
 * its own.
 *
 * <p><b>Durability.</b> {@link #save} writes a temporary file, fsyncs it, renames it atomically
 * over its final name, fsyncs the directory so that the rename itself survives a power loss,
 * and only then deletes older snapshots. A crash at any point leaves the previous snapshot or the
 * new one, never a partial file under a snapshot name; leftover temporary files are removed on
 * {@link #open}.
 *
 * <p><b>Integrity.</b> {@link #latest()} reads the file and verifies its CRC32C; damage raises
 * {@link CorruptedLogException} naming the file.
 *
 * <p><b>Threading.</b> Safe for use from several threads; {@link #save} and {@link #latest()}
 * block on file I/O and are serialized.
 */
public final class FileSnapshotStore implements SnapshotStore {
  private static final Logger log = LoggerFactory.getLogger(FileSnapshotStore.class);
  private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{20})\\.snap");
  private static final String TEMP_SUFFIX = ".tmp";

  private final Path directory;
  /** The file of the newest snapshot kept, or null. Guarded by this. */
  private Path latestFile;
  private SnapshotMeta latestMeta;
  private boolean closed;

  private FileSnapshotStore(Path directory) {
    this.directory = directory;
  }

  /**
   * Opens the store in {@code directory}, creating it if missing, and removes temporary files
   * left by a save that crashed.
   *
   * @throws StorageException if the directory cannot be read or the newest snapshot is damaged
   */
  public static FileSnapshotStore open(Path directory) {
    Objects.requireNonNull(directory, "directory");
    FileSnapshotStore store = new FileSnapshotStore(directory);
    try {
      Files.createDirectories(directory);
      store.recover();
    } catch (IOException e) {
      throw new StorageException("cannot open the snapshot store in " + directory + ": " + e.getMessage(), e);
    }
    return store;
  }

  private synchronized void recover() throws IOException {
    List<Path> snapshots = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.endsWith(TEMP_SUFFIX)) {
          Files.deleteIfExists(file);
        } else if (NAME.matcher(name).matches()) {
          snapshots.add(file);
        }
      }
    }
    snapshots.sort(Comparator.comparing(p -> p.getFileName().toString()));
    if (!snapshots.isEmpty()) {
      latestFile = snapshots.get(snapshots.size() - 1);
      latestMeta = read(latestFile).meta();
      deleteAllBut(latestFile, snapshots);
    }
  }

  /**
   * Durably keeps {@code snapshot} if its last included index is greater than the kept one's;
   * otherwise does nothing.
   *
   * @throws StorageException if writing fails; the previously kept snapshot is then still kept
   */
  @Override
  public synchronized void save(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    requireOpen();
    SnapshotMeta meta = snapshot.meta();
    if (latestMeta != null && meta.lastIncludedIndex() <= latestMeta.lastIncludedIndex()) {
      log.debug("ignoring snapshot at {}: the store keeps one at {}", meta.lastIncludedIndex(),
          latestMeta.lastIncludedIndex());
      return;
    }
    Path target = directory.resolve(String.format("snapshot-%020d-%020d.snap", meta.lastIncludedIndex(),
        meta.lastIncludedTerm()));
    Path temp = directory.resolve(target.getFileName() + TEMP_SUFFIX);
    try {
      writeDurably(temp, SnapshotFile.encode(snapshot));
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory();
      Path previous = latestFile;
      latestFile = target;
      latestMeta = meta;
      if (previous != null) {
        Files.deleteIfExists(previous);
      }
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new StorageException("cannot save snapshot " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * The newest snapshot kept, read from its file and verified.
   *
   * @throws CorruptedLogException if the file fails its checksum or does not decode
   */
  @Override
  public synchronized Optional<Snapshot> latest() {
    requireOpen();
    return latestFile == null ? Optional.empty() : Optional.of(read(latestFile));
  }

  /** Idempotent; later calls to {@link #save} and {@link #latest()} throw {@link StorageException}. */
  @Override
  public synchronized void close() {
    closed = true;
  }

  private Snapshot read(Path file) {
    try {
      return SnapshotFile.decode(Files.readAllBytes(file), file);
    } catch (IOException e) {
      throw new StorageException("cannot read snapshot " + file + ": " + e.getMessage(), e);
    }
  }

  private static void writeDurably(Path file, ByteBuffer content) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      while (content.hasRemaining()) {
        channel.write(content);
      }
      channel.force(true);
    }
  }

  // The rename is durable only once the directory entry is (POSIX rename + fsync of the parent).
  private void syncDirectory() throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some platforms (Windows) cannot open a directory; there the rename is already durable.
      if (Files.isDirectory(directory) && System.getProperty("os.name", "").startsWith("Windows")) {
        return;
      }
      throw e;
    }
  }

  private static void deleteAllBut(Path keep, List<Path> files) throws IOException {
    for (Path file : files) {
      if (!file.equals(keep)) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("cannot delete temporary snapshot file {}: {}", file, e.getMessage());
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new StorageException("the snapshot store in " + directory + " is closed");
    }
  }

  @Override
  public String toString() {
    return "FileSnapshotStore[" + directory + "]";
  }
}
