package dev.pontoon.raft.storage.file;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.SnapshotMeta;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Reads snapshot files of the previous release (format version 1; never written any more), all
 * integers big-endian:
 *
 * <pre>
 *  magic "PNTNSNAP" (8) | version 1 (4) | lastIncludedIndex (8) | lastIncludedTerm (8)
 *  | config length (4) | config bytes | data length (4) | data bytes | CRC32C of all before (4)
 * </pre>
 *
 * The one checksum covers the header too, so nothing in the file is trusted before the whole
 * file has been read: {@link #layout} reads it all (streamed, never held in memory), verifies
 * that checksum as version 1 did, and computes the CRC32C of the data alone on the way, which is
 * what version 2 stores in its footer and what readers of the data check again at its end.
 */
final class SnapshotFileV1 {
  static final int VERSION = 1;
  /** magic, version, index, term, config length, data length, checksum. */
  static final int FIXED = 8 + 4 + 8 + 8 + 4 + 4 + 4;
  private static final int CONFIG_LENGTH_AT = 8 + 4 + 8 + 8;

  private SnapshotFileV1() {}

  /** Reads and verifies a whole version 1 file, whose magic and version the caller has checked. */
  static SnapshotFile.Layout layout(FileChannel channel, Path where, int maxConfig) throws IOException {
    long size = channel.size();
    if (size < FIXED) {
      throw SnapshotFile.corrupted(where, "is " + size + " bytes long, shorter than the smallest version 1 snapshot file");
    }
    // Lengths are read before the checksum is verified only to find the data; the checksum
    // below decides whether the file is intact, and any disagreement is reported as damage.
    int configLength = SnapshotFile.readFully(channel, CONFIG_LENGTH_AT, 4).getInt();
    if (configLength < 0 || configLength > maxConfig || (long) FIXED + configLength > size) {
      throw damaged(channel, where, size, "has an impossible configuration length " + configLength);
    }
    long dataLengthAt = CONFIG_LENGTH_AT + 4L + configLength;
    int dataLength = SnapshotFile.readFully(channel, dataLengthAt, 4).getInt();
    long dataOffset = dataLengthAt + 4;
    if (dataLength < 0 || dataOffset + dataLength + 4 != size) {
      throw damaged(channel, where, size, "is " + size + " bytes long but announces " + dataLength + " data bytes");
    }
    int dataChecksum = verify(channel, where, size, dataOffset, dataLength);
    ByteBuffer header = SnapshotFile.readFully(channel, 12, CONFIG_LENGTH_AT - 12 + 4 + configLength);
    long index = header.getLong();
    long term = header.getLong();
    header.getInt();
    try {
      ClusterConfig config = ClusterConfig.fromBytes(Bytes.of(header.array(), header.position(), configLength));
      return new SnapshotFile.Layout(new SnapshotMeta(index, term, config), dataOffset, dataLength, dataChecksum,
          VERSION);
    } catch (RuntimeException e) {
      throw SnapshotFile.corrupted(where, "has a valid checksum but does not decode: " + e.getMessage());
    }
  }

  /**
   * Checks the whole-file CRC32C and returns the data's; throws naming the file on a mismatch.
   */
  private static int verify(FileChannel channel, Path where, long size, long dataOffset, long dataLength)
      throws IOException {
    CRC32C file = new CRC32C();
    CRC32C data = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
    long position = 0;
    long end = size - 4;
    long dataEnd = dataOffset + dataLength;
    while (position < end) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw SnapshotFile.corrupted(where, "is truncated");
      }
      buffer.flip();
      file.update(buffer.duplicate());
      long from = Math.max(position, dataOffset);
      long to = Math.min(position + n, dataEnd);
      if (from < to) {
        data.update(buffer.position((int) (from - position)).limit((int) (to - position)));
      }
      position += n;
    }
    int stored = SnapshotFile.readFully(channel, end, 4).getInt();
    int computed = (int) file.getValue();
    if (stored != computed) {
      throw SnapshotFile.corrupted(where, String.format("failed its CRC32C check (stored %08x, computed %08x)",
          stored, computed));
    }
    return (int) data.getValue();
  }

  /** The lengths disagree with the size: report a checksum failure if there is one, as v1 did. */
  private static RuntimeException damaged(FileChannel channel, Path where, long size, String problem)
      throws IOException {
    verify(channel, where, size, 0, 0);
    return SnapshotFile.corrupted(where, "has a valid checksum but " + problem);
  }
}
