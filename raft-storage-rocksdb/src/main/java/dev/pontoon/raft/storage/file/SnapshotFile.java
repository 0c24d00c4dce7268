package dev.pontoon.raft.storage.file;

import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The layout of one snapshot file, all integers big-endian. A header written before the state
 * machine's bytes, the bytes streamed as they come, and a footer that knows their length and
 * checksum once they are all written:
 *
 * <pre>
 *  header: magic "PNTNSNAP" (8) | version 2 (4) | lastIncludedIndex (8) | lastIncludedTerm (8)
 *          | config length (4) | config bytes | CRC32C of the header before it (4)
 *  data:   the state machine's bytes
 *  footer: data length (8) | CRC32C of the data (4) | CRC32C of the footer before it (4)
 * </pre>
 *
 * Version 1 (the whole snapshot in one checksummed record, read into memory) is no longer
 * written nor read: such a file is reported as not a version 2 file.
 */
final class SnapshotFile {
  private static final byte[] MAGIC = "PNTNSNAP".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 2;
  static final int FOOTER = 16;
  private static final int MAX_CONFIG = 1 << 20;

  /** What a file holds: meta, where the data starts, its length and checksum. */
  record Layout(SnapshotMeta meta, long dataOffset, long dataLength, int dataChecksum) {}

  private SnapshotFile() {}

  static ByteBuffer header(SnapshotMeta meta) {
    byte[] config = meta.config().toBytes().toByteArray();
    ByteBuffer buffer = ByteBuffer.allocate(MAGIC.length + 4 + 8 + 8 + 4 + config.length + 4);
    buffer.put(MAGIC).putInt(VERSION).putLong(meta.lastIncludedIndex()).putLong(meta.lastIncludedTerm())
        .putInt(config.length).put(config);
    buffer.putInt(checksum(buffer.array(), 0, buffer.position()));
    return buffer.flip();
  }

  static ByteBuffer footer(long dataLength, int dataChecksum) {
    ByteBuffer buffer = ByteBuffer.allocate(FOOTER);
    buffer.putLong(dataLength).putInt(dataChecksum);
    buffer.putInt(checksum(buffer.array(), 0, 12));
    return buffer.flip();
  }

  /**
   * Reads a file's header and footer and checks that they agree with its size; the data's
   * checksum is checked by {@link #verifyData} or while reading.
   */
  static Layout layout(FileChannel channel, Path where) throws IOException {
    long size = channel.size();
    int fixed = MAGIC.length + 4 + 8 + 8 + 4;
    if (size < fixed + 4 + FOOTER) {
      throw corrupted(where, "is " + size + " bytes long, shorter than the smallest snapshot file");
    }
    ByteBuffer start = readFully(channel, 0, fixed);
    byte[] magic = new byte[MAGIC.length];
    start.get(magic);
    int version = start.getInt();
    if (!Arrays.equals(magic, MAGIC) || version != VERSION) {
      throw corrupted(where, "is not a version " + VERSION + " Pontoon snapshot file");
    }
    long index = start.getLong();
    long term = start.getLong();
    int configLength = start.getInt();
    if (configLength < 0 || configLength > MAX_CONFIG || fixed + configLength + 4L + FOOTER > size) {
      throw corrupted(where, "has a header with an impossible configuration length " + configLength);
    }
    ByteBuffer rest = readFully(channel, fixed, configLength + 4);
    byte[] header = new byte[fixed + configLength];
    System.arraycopy(start.array(), 0, header, 0, fixed);
    rest.get(header, fixed, configLength);
    int storedHeaderCrc = rest.getInt();
    if (storedHeaderCrc != checksum(header, 0, header.length)) {
      throw corrupted(where, "has a header that failed its CRC32C check");
    }
    ByteBuffer footer = readFully(channel, size - FOOTER, FOOTER);
    long dataLength = footer.getLong();
    int dataChecksum = footer.getInt();
    if (footer.getInt() != checksum(footer.array(), 0, 12)) {
      throw corrupted(where, "has a footer that failed its CRC32C check (truncated or damaged)");
    }
    long dataOffset = header.length + 4L;
    if (dataOffset + dataLength + FOOTER != size) {
      throw corrupted(where, "is " + size + " bytes long but its footer announces " + dataLength + " data bytes");
    }
    SnapshotMeta meta;
    try {
      meta = new SnapshotMeta(index, term, ClusterConfig.fromBytes(
          dev.pontoon.raft.log.Bytes.of(header, fixed, configLength)));
    } catch (RuntimeException e) {
      throw corrupted(where, "has a valid checksum but does not decode: " + e.getMessage());
    }
    return new Layout(meta, dataOffset, dataLength, dataChecksum);
  }

  /** Reads the data once and checks its CRC32C. */
  static void verifyData(FileChannel channel, Layout layout, Path where) throws IOException {
    CRC32C crc = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    long position = layout.dataOffset();
    long end = position + layout.dataLength();
    while (position < end) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw corrupted(where, "is truncated");
      }
      buffer.flip();
      crc.update(buffer);
      position += n;
    }
    int computed = (int) crc.getValue();
    if (computed != layout.dataChecksum()) {
      throw corrupted(where, String.format("failed its CRC32C check (stored %08x, computed %08x)",
          layout.dataChecksum(), computed));
    }
  }

  private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
    return buffer.flip();
  }

  private static int checksum(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  static CorruptedLogException corrupted(Path where, String problem) {
    return new CorruptedLogException("snapshot file " + where + " " + problem);
  }
}
