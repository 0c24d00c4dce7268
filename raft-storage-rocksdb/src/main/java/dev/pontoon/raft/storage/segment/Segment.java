package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * One segment file, open for positional reads and writes; its size is fixed when it is made.
 *
 * <p><b>Interrupts.</b> A {@link FileChannel} closes itself, for every thread, when a thread is
 * interrupted in one of its operations. A reader on a host thread that happens to be interrupted
 * (a cancelled task, say) must not break the store for the node's writer, so reads go through a
 * channel of their own: each read runs with the caller's interrupt status set aside (restored
 * after), and a read channel found closed by an interrupt that still slipped in is opened again
 * and the read retried. The writer's channel is never opened again: a write or sync whose channel
 * an interrupt closed fails (fatal for the node), since a new descriptor would not report a
 * writeback error that happened before it was opened.
 */
final class Segment implements AutoCloseable {
  private static final int READ_ATTEMPTS = 4;
  /** Told the path of every segment after it was forced; tests watch which syncs an open makes. */
  static volatile Consumer<Path> forcedForTests = path -> { };

  private final long id;
  private final Path path;
  private final long capacity;
  private final FileChannel writes;
  private volatile FileChannel reads;
  private volatile boolean closed;

  private Segment(long id, Path path, FileChannel writes, FileChannel reads) throws IOException {
    this.id = id;
    this.path = path;
    this.writes = writes;
    this.reads = reads;
    this.capacity = writes.size();
  }

  static Segment open(long id, Path path) {
    try {
      // The size is read through the channel, which a pending interrupt of the caller would close.
      return Uninterrupted.call(() -> {
        FileChannel writes = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel reads = null;
        try {
          reads = FileChannel.open(path, StandardOpenOption.READ);
          return new Segment(id, path, writes, reads);
        } catch (IOException | RuntimeException e) {
          closeQuietly(writes);
          closeQuietly(reads);
          throw e;
        }
      });
    } catch (IOException e) {
      throw new StorageException("cannot open log segment " + path + ": " + e.getMessage(), e);
    }
  }

  long id() {
    return id;
  }

  Path path() {
    return path;
  }

  long capacity() {
    return capacity;
  }

  /** Reads {@code length} bytes at {@code offset} into {@code into} from index 0. */
  void read(long offset, byte[] into, int length) {
    boolean interrupted = Thread.interrupted();
    try {
      for (int attempt = 1; ; attempt++) {
        FileChannel channel = reads;
        ByteBuffer buffer = ByteBuffer.wrap(into, 0, length);
        try {
          while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
              throw new StorageException("log segment " + path + " ends before offset " + (offset + length));
            }
          }
          return;
        } catch (ClosedChannelException e) {
          interrupted |= Thread.interrupted();
          if (closed || attempt == READ_ATTEMPTS) {
            throw new StorageException("read of log segment " + path + " failed: the segment is closed", e);
          }
          reopenReads(channel);
        } catch (IOException e) {
          throw new StorageException("read of log segment " + path + " failed: " + e.getMessage(), e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Opens the read channel again, unless another reader already replaced {@code failed} or the segment was closed. */
  private synchronized void reopenReads(FileChannel failed) {
    if (closed || reads != failed) {
      return;
    }
    try {
      reads = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new StorageException("cannot open log segment " + path + " again: " + e.getMessage(), e);
    }
  }

  /** Writes all of {@code data} at {@code offset}, unsynced. */
  void write(ByteBuffer data, long offset) {
    boolean interrupted = Thread.interrupted(); // see the class comment
    try {
      long at = offset;
      while (data.hasRemaining()) {
        at += writes.write(data, at);
      }
    } catch (IOException e) {
      throw new StorageException("write to log segment " + path + " failed: " + e.getMessage(), e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Makes every write durable: {@code fdatasync}, which the file's fixed size keeps cheap. */
  void force() {
    boolean interrupted = Thread.interrupted(); // see the class comment
    try {
      writes.force(false);
    } catch (IOException e) {
      throw new StorageException("sync of log segment " + path + " failed: " + e.getMessage(), e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    forcedForTests.accept(path);
  }

  @Override
  public synchronized void close() {
    closed = true;
    try (FileChannel read = reads; FileChannel write = writes) {
      // try-with-resources closes both even when one fails
    } catch (IOException e) {
      throw new StorageException("cannot close log segment " + path + ": " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Already failing: the open's error is the one reported.
      }
    }
  }
}
