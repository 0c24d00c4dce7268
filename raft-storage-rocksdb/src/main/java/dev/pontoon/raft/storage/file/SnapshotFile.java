package dev.pontoon.raft.storage.file;

import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Version 1 files (the previous release's: the whole snapshot in one checksummed record) are
 * no longer written but are still read, by {@link SnapshotFileV1}, so that a node upgraded with
 * its log compacted behind one still starts.
 */
final class SnapshotFile {
  private static final byte[] MAGIC = "PNTNSNAP".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 2;
  static final int FOOTER = 16;
  private static final int MAX_CONFIG = 1 << 20;

  /**
   * What a file holds: meta, where the data starts, its length and checksum, and the format
   * version it was written in.
   */
  record Layout(SnapshotMeta meta, long dataOffset, long dataLength, int dataChecksum, int version) {}

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
   * Reads a file's layout and checks that it is consistent. For version 2, the header and footer
   * are read and checked against the file's size; the data's checksum is checked by
   * {@link #verifyData} or while reading. A version 1 file is read whole and verified
   * ({@link SnapshotFileV1}).
   */
  static Layout layout(FileChannel channel, Path where) throws IOException {
    long size = channel.size();
    int fixed = MAGIC.length + 4 + 8 + 8 + 4;
    int version = size < MAGIC.length + 4 ? -1 : version(readFully(channel, 0, MAGIC.length + 4));
    if (version == SnapshotFileV1.VERSION) {
      return SnapshotFileV1.layout(channel, where, MAX_CONFIG);
    }
    if (size < fixed + 4 + FOOTER) {
      throw corrupted(where, "is " + size + " bytes long, shorter than the smallest snapshot file");
    }
    ByteBuffer start = readFully(channel, 0, fixed);
    start.position(MAGIC.length + 4);
    if (version != VERSION) {
      throw corrupted(where, "is not a version " + SnapshotFileV1.VERSION + " or " + VERSION
          + " Pontoon snapshot file");
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
    return new Layout(meta, dataOffset, dataLength, dataChecksum, VERSION);
  }

  /** Whether the file starts as a version 1 snapshot file (its first 12 bytes; nothing verified). */
  static boolean isVersion1(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return channel.size() >= MAGIC.length + 4
          && version(readFully(channel, 0, MAGIC.length + 4)) == SnapshotFileV1.VERSION;
    }
  }

  /** The format version after the magic, or -1 when the magic is not Pontoon's. */
  private static int version(ByteBuffer start) {
    byte[] magic = new byte[MAGIC.length];
    start.get(magic);
    int version = start.getInt();
    return Arrays.equals(magic, MAGIC) ? version : -1;
  }

  /**
   * Reads the data once and checks its CRC32C. A version 1 layout was verified whole when it
   * was read, so its data is not read again.
   */
  static void verifyData(FileChannel channel, Layout layout, Path where) throws IOException {
    if (layout.version() == SnapshotFileV1.VERSION) {
      return;
    }
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

  static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
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
