package dev.pontoon.raft.storage.file;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.ChecksummedInputStream;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.Directories;
import dev.pontoon.raft.storage.StorageException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SnapshotStore} on plain files in a directory of its own: one file per snapshot,
 * streamed in and out (never held in memory), the newest {@code keep} kept.
 *
 * <p><b>Durability.</b> A sink writes a temporary file; {@code commit} writes its footer
 * (length and CRC32C of the data), fsyncs it, renames it atomically to its final name, fsyncs
 * the directory so that the rename itself survives a power loss, and only then deletes snapshots
 * beyond the newest {@code keep}. A crash at any point leaves the previous snapshots, or those
 * and the new one, never a partial file under a snapshot name; leftover temporary files are
 * removed on open (after the identity check: a refused open deletes nothing). Once the new
 * snapshot is in place, failing to delete an old one only logs a warning; the next open prunes
 * it.
 *
 * <p><b>Readers.</b> A snapshot pruned beyond the newest {@code keep} while streams from its
 * {@link StoredSnapshot#open()} are open is no longer {@link #newest()}, but its file stays, and
 * opening it again works, until the last of those streams closes; the store then deletes it
 * ({@link SnapshotStore}'s reader rules). The store counts the readers itself, so this holds on
 * every operating system alike: POSIX keeps an unlinked file readable only to the streams already
 * open, not to a new open, and Windows may refuse to delete an open file. Opening a pruned
 * snapshot that no stream held throws {@link java.nio.file.NoSuchFileException} saying it was
 * pruned. A file whose reader a crash ended is pruned by the next open.
 *
 * <p><b>Integrity.</b> On open every kept file is read once and verified (header, footer and
 * data checksums). A damaged newest snapshot is moved aside (renamed {@code *.corrupt}) and the
 * previous one is used, with one error line in the log naming both files; when no snapshot is
 * intact, open throws {@link CorruptedLogException} naming the file and moves nothing, so that
 * every later open refuses too, until an operator acts. Readers of
 * {@link StoredSnapshot#open()} check the data's checksum again as they reach its end. Falling
 * back to an older snapshot is only useful if the log still holds the entries after it: keep a
 * log margin ({@code RaftServer.Builder.logRetainEntries}) of at least the snapshot interval,
 * otherwise the node refuses to start, saying which entries are missing.
 *
 * <p><b>Identity.</b> Opened with a cluster id and node id, the store records them in a file
 * named {@code identity} on first use and refuses, on later opens, a directory that belongs to
 * another cluster or node, or that holds snapshots but no identity — as the RocksDB log store
 * does, so that a copied or mixed-up directory is never restored into the wrong node. The one
 * exception is a directory of the previous release, which recorded no identity: when every
 * snapshot file in it is a version 1 file, the identity given is adopted (and recorded), with
 * one INFO line saying so.
 *
 * <p><b>Earlier files.</b> Snapshot files of the previous release (format version 1) are listed,
 * verified (their whole-file CRC32C) and read like the current ones, and pruned like them once
 * {@code keep} newer snapshots exist; new snapshots are always written in version 2. A damaged
 * version 1 file is handled as a damaged version 2 one. Each {@link StoredSnapshot#open()} of a
 * version 1 file reads it whole once more first, since its one checksum covers its header.
 *
 * <p><b>Threading.</b> Safe for use from several threads; each sink by one thread at a time.
 * Every method blocks on file I/O.
 */
public final class FileSnapshotStore implements SnapshotStore {
  private static final Logger log = LoggerFactory.getLogger(FileSnapshotStore.class);
  private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{20})\\.snap");
  private static final String TEMP_SUFFIX = ".tmp";
  private static final String IDENTITY = "identity";
  /** How many snapshots are kept when not told: the newest and one to fall back to. */
  public static final int DEFAULT_KEEP = 2;

  private final Path directory;
  private final int keep;
  private final AtomicLong tempCounter = new AtomicLong();
  /** The snapshots kept, oldest first. Guarded by this. */
  private final List<Kept> kept = new ArrayList<>();
  private boolean closed;

  /** A snapshot kept, and after it is pruned, until its last reader closes. */
  private final class Kept implements StoredSnapshot {
    private final Path file;
    private final SnapshotFile.Layout layout;
    /** Streams open over it. Guarded by the store. */
    private int readers;
    /** Whether it is no longer one of the newest {@code keep}; deleted once it has no reader. Guarded by the store. */
    private boolean pruned;

    Kept(Path file, SnapshotFile.Layout layout) {
      this.file = file;
      this.layout = layout;
    }

    Path file() {
      return file;
    }

    @Override
    public SnapshotMeta meta() {
      return layout.meta();
    }

    @Override
    public long size() {
      return layout.dataLength();
    }

    @Override
    public int checksum() {
      return layout.dataChecksum();
    }

    @Override
    public InputStream open() throws IOException {
      acquire(this);
      FileChannel channel = null;
      try {
        channel = FileChannel.open(file, StandardOpenOption.READ);
        SnapshotFile.Layout now = SnapshotFile.layout(channel, file);
        if (!now.equals(layout)) {
          throw SnapshotFile.corrupted(file, "changed since it was committed");
        }
        channel.position(layout.dataOffset());
      } catch (IOException | RuntimeException e) {
        if (channel != null) {
          channel.close();
        }
        release(this);
        throw e;
      }
      InputStream data = new ChecksummedInputStream(new BufferedInputStream(Channels.newInputStream(channel), 1 << 16),
          layout.dataLength(), layout.dataChecksum(), "snapshot file " + file);
      return new FilterInputStream(data) {
        private boolean closed;

        @Override
        public void close() throws IOException {
          if (closed) {
            return;
          }
          closed = true;
          try {
            super.close(); // the file is closed before it may be deleted: Windows deletes no open file
          } finally {
            release(Kept.this);
          }
        }
      };
    }
  }

  private FileSnapshotStore(Path directory, int keep) {
    this.directory = directory;
    this.keep = keep;
  }

  /**
   * Opens the store in {@code directory} without recording an identity (tests and tools), keeping
   * {@link #DEFAULT_KEEP} snapshots.
   *
   * @see #open(Path, ClusterId, NodeId, int)
   */
  public static FileSnapshotStore open(Path directory) {
    return open(directory, null, null, DEFAULT_KEEP);
  }

  /** Opens the store of node {@code nodeId} of cluster {@code clusterId}, keeping {@link #DEFAULT_KEEP}. */
  public static FileSnapshotStore open(Path directory, ClusterId clusterId, NodeId nodeId) {
    return open(directory, Objects.requireNonNull(clusterId, "clusterId"), Objects.requireNonNull(nodeId, "nodeId"),
        DEFAULT_KEEP);
  }

  /**
   * Opens the store in {@code directory}, creating it if missing, removes temporary files left by
   * a crashed write, verifies the snapshots kept and falls back from a damaged newest one.
   *
   * @param clusterId with {@code nodeId}, the identity recorded and checked; both null for none
   * @param keep how many snapshots to keep, at least 1
   * @throws CorruptedLogException if snapshots exist but none is intact
   * @throws StorageException if the directory cannot be read or belongs to another cluster or node
   */
  public static FileSnapshotStore open(Path directory, ClusterId clusterId, NodeId nodeId, int keep) {
    Objects.requireNonNull(directory, "directory");
    if (keep < 1) {
      throw new IllegalArgumentException("keep (" + keep + ") must be at least 1");
    }
    if ((clusterId == null) != (nodeId == null)) {
      throw new IllegalArgumentException("give both the cluster id and the node id, or neither");
    }
    FileSnapshotStore store = new FileSnapshotStore(directory, keep);
    try {
      Directories.createDurably(directory);
      List<Path> snapshots = store.list();
      if (clusterId != null) {
        store.checkIdentity(clusterId, nodeId, snapshots);
      }
      // Only once the directory is known to be this node's: the temporaries may be another store's writes.
      store.deleteTemporaries();
      store.recover(snapshots);
    } catch (IOException e) {
      throw new StorageException("cannot open the snapshot store in " + directory + ": " + e.getMessage(), e);
    }
    return store;
  }

  private List<Path> list() throws IOException {
    List<Path> snapshots = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        if (NAME.matcher(file.getFileName().toString()).matches()) {
          snapshots.add(file);
        }
      }
    }
    snapshots.sort(Comparator.comparing(p -> p.getFileName().toString()));
    return snapshots;
  }

  /** Removes what crashed writes left: temporary snapshot and identity files. */
  private void deleteTemporaries() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + TEMP_SUFFIX)) {
      for (Path file : files) {
        Files.deleteIfExists(file);
      }
    }
  }

  private void checkIdentity(ClusterId clusterId, NodeId nodeId, List<Path> snapshots) throws IOException {
    String expected = "pontoon snapshot store\ncluster " + clusterId.value() + "\nnode " + nodeId.value() + "\n";
    Path file = directory.resolve(IDENTITY);
    if (!Files.exists(file)) {
      if (!snapshots.isEmpty()) {
        if (!onlyVersion1(snapshots)) {
          throw new StorageException("refusing to open " + directory + ": it holds snapshots but no store identity");
        }
        // The previous release recorded no identity; its directory is this node's as the
        // operator configured it, like the log store beside it (which does check its own).
        log.info("{} holds only version 1 snapshot files, written before snapshot stores recorded an identity: "
            + "adopting cluster {} node {}", directory, clusterId.value(), nodeId.value());
      }
      Path temp = directory.resolve(IDENTITY + TEMP_SUFFIX);
      Files.writeString(temp, expected, StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory();
      return;
    }
    String found = Files.readString(file, StandardCharsets.UTF_8);
    if (!found.equals(expected)) {
      throw new StorageException("refusing to open " + directory + ": it belongs to ["
          + found.strip().replace('\n', ' ') + "], but this store was configured for [" + expected.strip()
          .replace('\n', ' ') + "]");
    }
  }

  private static boolean onlyVersion1(List<Path> snapshots) throws IOException {
    for (Path snapshot : snapshots) {
      if (!SnapshotFile.isVersion1(snapshot)) {
        return false;
      }
    }
    return true;
  }

  private synchronized void recover(List<Path> snapshots) throws IOException {
    CorruptedLogException newestDamage = null;
    List<Path> damagedNewer = new ArrayList<>();
    for (int i = snapshots.size() - 1; i >= 0 && kept.size() < keep; i--) {
      Path file = snapshots.get(i);
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        SnapshotFile.Layout layout = SnapshotFile.layout(channel, file);
        SnapshotFile.verifyData(channel, layout, file);
        kept.add(0, new Kept(file, layout));
      } catch (CorruptedLogException e) {
        if (!kept.isEmpty()) {
          // An older snapshot than one intact: no use, dropped below.
          continue;
        }
        if (newestDamage == null) {
          newestDamage = e;
        }
        damagedNewer.add(file);
      }
    }
    if (newestDamage != null) {
      if (kept.isEmpty()) {
        // Nothing is moved: every later open must refuse as this one does, until an operator acts.
        throw newestDamage;
      }
      for (Path file : damagedNewer) {
        Files.move(file, file.resolveSibling(file.getFileName() + ".corrupt"), StandardCopyOption.REPLACE_EXISTING);
      }
      log.error("{}; moved aside as {}.corrupt, falling back to the previous snapshot {} (index {})",
          newestDamage.getMessage(), damagedNewer.get(0).getFileName(), kept.get(kept.size() - 1).file().getFileName(),
          kept.get(kept.size() - 1).meta().lastIncludedIndex());
    }
    for (Path file : snapshots) {
      if (kept.stream().noneMatch(k -> k.file().equals(file)) && Files.exists(file)) {
        Files.deleteIfExists(file);
      }
    }
  }

  @Override
  public SnapshotSink create(SnapshotMeta meta) {
    Objects.requireNonNull(meta, "meta");
    synchronized (this) {
      requireOpen();
    }
    Path target = directory.resolve(String.format("snapshot-%020d-%020d.snap", meta.lastIncludedIndex(),
        meta.lastIncludedTerm()));
    Path temp = directory.resolve(target.getFileName() + "." + tempCounter.incrementAndGet() + TEMP_SUFFIX);
    try {
      return new FileSink(meta, target, temp);
    } catch (IOException e) {
      deleteQuietly(temp);
      throw new StorageException("cannot create snapshot file " + temp + ": " + e.getMessage(), e);
    }
  }

  /** The newest snapshot kept; its file is read only when {@link StoredSnapshot#open()} is called. */
  @Override
  public synchronized Optional<StoredSnapshot> newest() {
    requireOpen();
    return kept.isEmpty() ? Optional.empty() : Optional.of(kept.get(kept.size() - 1));
  }

  /** A stream opens over {@code snapshot}: its file stays until the stream closes. */
  private synchronized void acquire(Kept snapshot) throws NoSuchFileException {
    if (snapshot.pruned && snapshot.readers == 0) {
      throw new NoSuchFileException(snapshot.file().toString(), null,
          "pruned: newer snapshots replaced it while no stream over it was open");
    }
    snapshot.readers++;
  }

  /** A stream over {@code snapshot} closed; the last one deletes it if it was pruned meanwhile. */
  private synchronized void release(Kept snapshot) {
    if (--snapshot.readers == 0 && snapshot.pruned) {
      deleteOld(snapshot.file());
    }
  }

  /** Idempotent; later calls throw {@link StorageException}. */
  @Override
  public synchronized void close() {
    closed = true;
  }

  private synchronized void install(Path temp, Path target, SnapshotFile.Layout layout) throws IOException {
    requireOpen();
    if (!kept.isEmpty() && layout.meta().lastIncludedIndex() <= kept.get(kept.size() - 1).meta().lastIncludedIndex()) {
      log.debug("ignoring snapshot at {}: the store keeps one at {}", layout.meta().lastIncludedIndex(),
          kept.get(kept.size() - 1).meta().lastIncludedIndex());
      Files.deleteIfExists(temp);
      return;
    }
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory();
    kept.add(new Kept(target, layout));
    while (kept.size() > keep) {
      Kept old = kept.remove(0);
      old.pruned = true;
      // A snapshot being read stays until its last reader closes (SnapshotStore's reader rules):
      // a leader may still be streaming it to a follower, and goes back in it to resend.
      if (old.readers == 0) {
        deleteOld(old.file());
      } else {
        log.debug("keeping the pruned snapshot {} until its {} reader(s) close", old.file(), old.readers);
      }
    }
  }

  private static void deleteOld(Path old) {
    try {
      Files.deleteIfExists(old);
    } catch (IOException e) {
      // The new snapshot is in place and committed; an old one left behind is pruned by the next open.
      log.warn("cannot delete the old snapshot {}: {}", old, e.toString());
    }
  }

  /** Writes one snapshot to a temporary file; commit makes it a kept snapshot. */
  private final class FileSink implements SnapshotSink {
    private final SnapshotMeta meta;
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final long dataOffset;
    private final CRC32C crc = new CRC32C();
    private final CountingStream counter;
    private final OutputStream out;
    private boolean done;

    FileSink(SnapshotMeta meta, Path target, Path temp) throws IOException {
      this.meta = meta;
      this.target = target;
      this.temp = temp;
      this.channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      var header = SnapshotFile.header(meta);
      dataOffset = header.remaining();
      try {
        while (header.hasRemaining()) {
          channel.write(header);
        }
      } catch (IOException | RuntimeException e) {
        closeQuietly();
        throw e;
      }
      counter = new CountingStream(Channels.newOutputStream(channel));
      out = new BufferedOutputStream(new CheckedOutputStream(counter, crc), 1 << 16);
    }

    @Override
    public OutputStream stream() {
      return out;
    }

    @Override
    public void commit() {
      if (done) {
        throw new IllegalStateException("snapshot sink already committed or closed");
      }
      done = true;
      try {
        out.flush();
        long length = counter.count;
        int checksum = (int) crc.getValue();
        var footer = SnapshotFile.footer(length, checksum);
        while (footer.hasRemaining()) {
          channel.write(footer);
        }
        channel.force(true);
        channel.close();
        install(temp, target, new SnapshotFile.Layout(meta, dataOffset, length, checksum, SnapshotFile.VERSION));
      } catch (IOException e) {
        closeQuietly();
        deleteQuietly(temp);
        throw new StorageException("cannot save snapshot " + target + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        // the store was closed meanwhile, say: nothing was installed
        closeQuietly();
        deleteQuietly(temp);
        throw e;
      }
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        closeQuietly();
        deleteQuietly(temp);
      }
    }

    private void closeQuietly() {
      try {
        channel.close();
      } catch (IOException e) {
        log.debug("closing {} failed", temp, e);
      }
    }
  }

  /** Counts the bytes written through it. */
  private static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  // The rename is durable only once the directory entry is (POSIX rename + fsync of the parent).
  private void syncDirectory() throws IOException {
    Directories.sync(directory);
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
