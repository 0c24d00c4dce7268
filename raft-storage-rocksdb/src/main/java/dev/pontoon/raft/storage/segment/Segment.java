package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** One segment file, open for positional reads and writes; its size is fixed when it is made. */
final class Segment implements AutoCloseable {
  private final long id;
  private final Path path;
  private final FileChannel channel;
  private final long capacity;

  private Segment(long id, Path path, FileChannel channel, long capacity) {
    this.id = id;
    this.path = path;
    this.channel = channel;
    this.capacity = capacity;
  }

  static Segment open(long id, Path path) {
    try {
      FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
      return new Segment(id, path, channel, channel.size());
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
    ByteBuffer buffer = ByteBuffer.wrap(into, 0, length);
    try {
      while (buffer.hasRemaining()) {
        if (channel.read(buffer, offset + buffer.position()) < 0) {
          throw new StorageException("log segment " + path + " ends before offset " + (offset + length));
        }
      }
    } catch (IOException e) {
      throw new StorageException("read of log segment " + path + " failed: " + e.getMessage(), e);
    }
  }

  /** Writes all of {@code data} at {@code offset}, unsynced. */
  void write(ByteBuffer data, long offset) {
    try {
      long at = offset;
      while (data.hasRemaining()) {
        at += channel.write(data, at);
      }
    } catch (IOException e) {
      throw new StorageException("write to log segment " + path + " failed: " + e.getMessage(), e);
    }
  }

  /** Makes every write durable: {@code fdatasync}, which the file's fixed size keeps cheap. */
  void force() {
    try {
      channel.force(false);
    } catch (IOException e) {
      throw new StorageException("sync of log segment " + path + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new StorageException("cannot close log segment " + path + ": " + e.getMessage(), e);
    }
  }
}
