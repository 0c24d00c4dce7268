package dev.pontoon.raft.storage.file;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The layout of one snapshot file, all integers big-endian:
 *
 * <pre>
 *  magic "PNTNSNAP" (8) | version (4) | lastIncludedIndex (8) | lastIncludedTerm (8)
 *  | config length (4) | config bytes | data length (4) | data bytes | CRC32C of all before (4)
 * </pre>
 */
final class SnapshotFile {
  private static final byte[] MAGIC = "PNTNSNAP".getBytes(StandardCharsets.US_ASCII);
  private static final int VERSION = 1;
  private static final int FIXED = MAGIC.length + 4 + 8 + 8 + 4 + 4 + 4;

  private SnapshotFile() {}

  static ByteBuffer encode(Snapshot snapshot) {
    byte[] config = snapshot.meta().config().toBytes().toByteArray();
    int dataSize = snapshot.data().size();
    ByteBuffer buffer = ByteBuffer.allocate(Math.addExact(FIXED + config.length, dataSize));
    buffer.put(MAGIC).putInt(VERSION)
        .putLong(snapshot.meta().lastIncludedIndex()).putLong(snapshot.meta().lastIncludedTerm())
        .putInt(config.length).put(config)
        .putInt(dataSize);
    buffer.put(snapshot.data().asReadOnlyByteBuffer());
    buffer.putInt(checksum(buffer.array(), buffer.position()));
    return buffer.flip();
  }

  /** Decodes a whole file, or throws naming it. */
  static Snapshot decode(byte[] file, Path where) {
    if (file.length < FIXED) {
      throw corrupted(where, "is " + file.length + " bytes long, shorter than the smallest snapshot file");
    }
    ByteBuffer buffer = ByteBuffer.wrap(file);
    int stored = buffer.getInt(file.length - 4);
    int computed = checksum(file, file.length - 4);
    if (stored != computed) {
      throw corrupted(where, String.format("failed its CRC32C check (stored %08x, computed %08x)", stored, computed));
    }
    byte[] magic = new byte[MAGIC.length];
    buffer.get(magic);
    int version = buffer.getInt();
    if (!Arrays.equals(magic, MAGIC) || version != VERSION) {
      throw corrupted(where, "is not a version " + VERSION + " Pontoon snapshot file");
    }
    try {
      long index = buffer.getLong();
      long term = buffer.getLong();
      Bytes config = slice(buffer, buffer.getInt());
      Bytes data = slice(buffer, buffer.getInt());
      if (buffer.position() != file.length - 4) {
        throw new IllegalArgumentException((file.length - 4 - buffer.position()) + " unexpected trailing bytes");
      }
      return new Snapshot(new SnapshotMeta(index, term, ClusterConfig.fromBytes(config)), data);
    } catch (RuntimeException e) {
      throw corrupted(where, "has a valid checksum but does not decode: " + e.getMessage());
    }
  }

  private static Bytes slice(ByteBuffer buffer, int length) {
    if (length < 0 || length > buffer.remaining() - 4) {
      throw new IllegalArgumentException("length " + length + " runs past the end of the file");
    }
    Bytes bytes = Bytes.of(buffer.array(), buffer.position(), length);
    buffer.position(buffer.position() + length);
    return bytes;
  }

  private static int checksum(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  private static CorruptedLogException corrupted(Path where, String problem) {
    return new CorruptedLogException("snapshot file " + where + " " + problem);
  }
}
