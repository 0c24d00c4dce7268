package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.storage.Directories;
import dev.pontoon.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a segment store's directory: segments named {@code segment-<id>.log}, and spares
 * ({@code spare-<n>.log}), files of the segment size already written through with zeros or
 * recycled from a dropped segment, so that a new segment is only ever overwritten in place.
 *
 * <p>Why spares: {@code fdatasync} of a write into a file's existing, written blocks flushes the
 * data alone; a write that grows a file or fills a hole also commits the filesystem's journal
 * (the new size, the new extents), which costs about half again per sync on ext4. Two spares are
 * kept ready by a background thread, while the disk has room for a spare and one more segment,
 * so that the writer does not wait for the zeros; it fills one itself, and logs that it did, when
 * the log outruns that thread or the disk is short of room.
 *
 * <p>Every rename is followed by a {@code fsync} of the directory, before anything relies on the
 * new name.
 */
final class SegmentFiles implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SegmentFiles.class);
  private static final String SEGMENT = "segment-";
  private static final String SPARE = "spare-";
  private static final String SUFFIX = ".log";
  private static final String TEMPORARY = ".tmp";
  /** Locked while a store has the directory open, so that two stores never write one log. */
  static final String LOCK = "segments.lock";
  /** Spares kept at most: one being used up while another waits. Further dropped segments are deleted. */
  private static final int MAX_SPARES = 2;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20);
  private static final long FILL_SYNC_BYTES = 4L << 20;

  private final Path directory;
  private final long segmentBytes;
  private final ConcurrentLinkedDeque<Path> spares = new ConcurrentLinkedDeque<>();
  private final AtomicLong nextSpare = new AtomicLong();
  private final AtomicBoolean filling = new AtomicBoolean();
  private final AtomicInteger abandonedFills = new AtomicInteger();
  /** Whether the last check found too little room for a spare; on the filler thread only. */
  private boolean warnedShortOfSpace;
  private final ExecutorService filler;
  private final FileChannel lockChannel;

  SegmentFiles(Path directory, long segmentBytes) {
    this.directory = directory;
    this.segmentBytes = segmentBytes;
    FileChannel locked = null;
    try {
      Directories.createDurably(directory);
      List<Path> ours = ourFiles(directory);
      // Only now, with the directory known to be a segment store's (or empty), is anything made
      // in it; and only under the lock is anything deleted, which may be another store's spare.
      locked = lock(directory);
      long highest = 0;
      for (Path file : ours) {
        String name = file.getFileName().toString();
        if (name.endsWith(TEMPORARY)) {
          // A spare whose filling a crash interrupted.
          Files.delete(file);
        } else if (name.startsWith(SPARE)) {
          highest = Math.max(highest, number(name, SPARE));
          if (Files.size(file) == segmentBytes && spares.size() < MAX_SPARES) {
            spares.add(file);
          } else {
            Files.delete(file);
          }
        }
      }
      nextSpare.set(highest + 1);
    } catch (IOException | NumberFormatException e) {
      closeQuietly(locked);
      throw new StorageException("cannot list the log directory " + directory + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(locked);
      throw e;
    }
    this.lockChannel = locked;
    this.filler = Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "pontoon-segment-spare");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Segments and spares in {@code directory}; refuses a directory that holds another store's files. */
  private static List<Path> ourFiles(Path directory) throws IOException {
    List<Path> ours = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        boolean segment = name.startsWith(SEGMENT) && name.endsWith(SUFFIX);
        boolean spare = name.startsWith(SPARE) && (name.endsWith(SUFFIX) || name.endsWith(SUFFIX + TEMPORARY));
        if (segment || spare) {
          ours.add(file);
        } else if (!name.equals(LOCK) && Files.isRegularFile(file)) {
          // Another store's directory (a RocksDB log's CURRENT, say) holds no segments: taken for
          // a new log, it would forget the node's term, vote and entries. Checked before anything
          // here is made or deleted.
          throw new StorageException("the log directory " + directory + " holds " + name
              + ", which is not a segment store's file: is it another store's directory?");
        }
      }
    }
    return ours;
  }

  /**
   * Takes the directory's lock, held until {@link #close}: a second store on the same directory,
   * in this process or another, would write records between this one's and replay neither.
   */
  private static FileChannel lock(Path directory) throws IOException {
    FileChannel channel = FileChannel.open(directory.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      // tryLock is interruptible: a pending interrupt of the opening thread would close the channel.
      if (Uninterrupted.call(channel::tryLock) == null) {
        throw new StorageException("the log directory " + directory + " is in use by another open store (another"
            + " process holds " + LOCK + ")");
      }
      return channel;
    } catch (OverlappingFileLockException e) {
      channel.close();
      throw new StorageException("the log directory " + directory + " is in use by another open store in this"
          + " process (close it first)", e);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The ids of the segment files, ascending. */
  List<Long> segmentIds() {
    List<Long> ids = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (name.startsWith(SEGMENT) && name.endsWith(SUFFIX)) {
          ids.add(number(name, SEGMENT));
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot list the log directory " + directory + ": " + e.getMessage(), e);
    } catch (NumberFormatException e) {
      throw new StorageException("the log directory " + directory + " holds a segment file of another format: " + e.getMessage());
    }
    ids.sort(null);
    return ids;
  }

  Path segmentPath(long id) {
    return directory.resolve(String.format("%s%020d%s", SEGMENT, id, SUFFIX));
  }

  /**
   * A new segment file of at least {@code minBytes} for {@code id}: a spare renamed, or a file
   * filled with zeros now when no spare is ready or the segment must be larger than spares are.
   */
  Segment create(long id, long minBytes) {
    Path target = segmentPath(id);
    Path spare = minBytes <= segmentBytes ? spares.poll() : null;
    if (spare == null) {
      if (minBytes <= segmentBytes && id > 1) {
        log.info("log {}: no spare segment ready; segment {} is filled now, while the writer waits", directory, id);
      }
      spare = zeroFilled(Math.max(minBytes, segmentBytes));
    }
    rename(spare, target);
    prepareSpareInBackground();
    return Segment.open(id, target);
  }

  /** Turns a dropped segment's file into a spare, or deletes it when enough spares wait. */
  void recycle(Path segmentFile) {
    try {
      if (spares.size() < MAX_SPARES && Files.size(segmentFile) == segmentBytes) {
        Path spare = directory.resolve(SPARE + nextSpare.getAndIncrement() + SUFFIX);
        rename(segmentFile, spare);
        spares.add(spare);
      } else {
        Files.delete(segmentFile);
        syncDirectory();
      }
    } catch (IOException e) {
      throw new StorageException("cannot drop log segment " + segmentFile + ": " + e.getMessage(), e);
    }
  }

  /** Starts filling spares, unless they are ready or being filled, until {@value #MAX_SPARES} are. */
  void prepareSpareInBackground() {
    if (spares.size() >= MAX_SPARES || !filling.compareAndSet(false, true)) {
      return;
    }
    try {
      filler.execute(() -> {
        try {
          while (spares.size() < MAX_SPARES && !filler.isShutdown() && roomForSpare()) {
            spares.add(zeroFilled(segmentBytes));
          }
        } catch (RuntimeException e) {
          // The writer will fill one itself when it needs it, and fail there if the disk does.
          log.warn("could not prepare a spare log segment in {}: {}", directory, e.getMessage());
        } finally {
          filling.set(false);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      filling.set(false);
    }
  }

  /**
   * Whether the disk has room for a spare and a segment's margin besides. A spare is optional
   * work and must not take the disk's last free space: a fill that cannot finish writes zeros until
   * the disk is full before it gives up, and meanwhile every other write there (the snapshot store,
   * another process) fails with "No space left on device". The writer itself still fills the
   * segment it needs from whatever space is left ({@link #create}). Logged once while space is short.
   */
  private boolean roomForSpare() {
    long free;
    try {
      free = Files.getFileStore(directory).getUsableSpace();
    } catch (IOException e) {
      log.warn("cannot read the free space of {}; no spare segment is prepared: {}", directory, e.getMessage());
      return false;
    }
    boolean room = free >= 2 * segmentBytes;
    if (!room && !warnedShortOfSpace) {
      log.warn("{} has {} bytes free, short of a spare log segment and a segment's margin ({} bytes); no spare is"
          + " prepared, and the log fills its next segment when it needs it", directory, free, 2 * segmentBytes);
    }
    warnedShortOfSpace = !room;
    return room;
  }

  /** Spares ready now; for tests. */
  int readySpares() {
    return spares.size();
  }

  /** Whether the background filler is at work; for tests. */
  boolean fillingSpares() {
    return filling.get();
  }

  /** Fills that failed part-way, their partial file deleted; for tests. */
  int abandonedFills() {
    return abandonedFills.get();
  }

  private Path zeroFilled(long bytes) {
    long number = nextSpare.getAndIncrement();
    Path temporary = directory.resolve(SPARE + number + SUFFIX + TEMPORARY);
    Path spare = directory.resolve(SPARE + number + SUFFIX);
    try {
      Uninterrupted.call(() -> {
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          long written = 0;
          while (written < bytes) {
            ByteBuffer zeros = ZEROS.duplicate();
            zeros.limit((int) Math.min(zeros.capacity(), bytes - written));
            written += channel.write(zeros, written);
            if (written % FILL_SYNC_BYTES == 0) {
              // In steps, so that the disk never holds a whole segment of zeros in its queue ahead
              // of the syncs of the log being written.
              channel.force(false);
            }
          }
          channel.force(true);
        }
        return temporary;
      });
    } catch (IOException e) {
      abandonedFills.incrementAndGet();
      // A full disk, say: the partial file would hold its space until the next open.
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException ignored) {
        // the open deletes it
      }
      throw new StorageException("cannot prepare a log segment in " + directory + ": " + e.getMessage(), e);
    }
    rename(temporary, spare);
    return spare;
  }

  private void rename(Path from, Path to) {
    try {
      try {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new StorageException("the filesystem of " + directory + " cannot rename atomically", e);
      }
      syncDirectory();
    } catch (IOException e) {
      throw new StorageException("cannot rename " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  void syncDirectory() {
    syncDirectory(directory);
  }

  private static void syncDirectory(Path directory) {
    try {
      Directories.sync(directory);
    } catch (IOException e) {
      throw new StorageException("cannot sync the log directory " + directory + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Already failing: that error is the one reported.
      }
    }
  }

  private static long number(String name, String prefix) {
    return Long.parseLong(name.substring(prefix.length(), name.length() - SUFFIX.length()));
  }

  /**
   * Stops the background filler (a spare being filled is finished or left as a temporary file),
   * then releases the directory's lock.
   */
  @Override
  public void close() {
    filler.shutdown();
    try {
      if (!filler.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("a spare log segment in {} was still being filled at close", directory);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(lockChannel);
    }
  }
}
