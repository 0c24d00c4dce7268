package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The stored form of a log entry, verified on every read.
 *
 * <pre>
 *  0       4              12     13
 *  +-------+--------------+------+------------------+
 *  | crc   | term (BE)    | kind | payload ...      |
 *  +-------+--------------+------+------------------+
 *  crc = CRC32C(index as 8 BE bytes | term | kind | payload)
 * </pre>
 *
 * The index is covered by the checksum although it is stored in the key, so that a value found
 * under the wrong key fails the check as surely as a flipped bit does.
 */
final class EntryCodec {
  private static final int HEADER = 13;

  private EntryCodec() {}

  /** The size of an entry's stored value. */
  static int encodedSize(LogEntry entry) {
    return HEADER + entry.payload().size();
  }

  static byte[] encode(LogEntry entry) {
    byte[] value = new byte[encodedSize(entry)];
    encode(entry, ByteBuffer.wrap(value));
    return value;
  }

  /**
   * Writes the stored value of {@code entry} into {@code target} from position 0, which must have
   * room for {@link #encodedSize}, and leaves it ready to read (position 0, limit at the end).
   * Writing into a reused direct buffer spares the heap array per entry that {@link #encode(LogEntry)}
   * allocates and RocksDB copies again: on large payloads that array is most of the bytes a write allocates.
   */
  static ByteBuffer encode(LogEntry entry, ByteBuffer target) {
    target.clear();
    target.putInt(0).putLong(entry.term()).put((byte) entry.kind().code());
    target.put(entry.payload().asReadOnlyByteBuffer());
    target.flip();
    target.putInt(0, checksum(entry.index(), target.duplicate().position(4)));
    return target;
  }

  /** Decodes the value stored under {@code index}, or throws naming the index and the store. */
  static LogEntry decode(long index, byte[] value, String where) {
    if (value.length < HEADER) {
      throw corrupted(index, where, "is " + value.length + " bytes long, shorter than its " + HEADER + "-byte header");
    }
    ByteBuffer buffer = ByteBuffer.wrap(value);
    int stored = buffer.getInt(0);
    int computed = checksum(index, ByteBuffer.wrap(value, 4, value.length - 4));
    if (stored != computed) {
      throw corrupted(index, where, String.format("failed its CRC32C check (stored %08x, computed %08x)", stored, computed));
    }
    long term = buffer.getLong(4);
    EntryKind kind = EntryKind.ofCode(value[12] & 0xff);
    if (term < 1 || kind == null) {
      throw corrupted(index, where, "has a valid checksum but an invalid term " + term + " or kind " + value[12]);
    }
    return new LogEntry(index, term, kind, Bytes.of(value, HEADER, value.length - HEADER));
  }

  /** The term of a stored value, after the same verification as {@link #decode}. */
  static long term(long index, byte[] value, String where) {
    return decode(index, value, where).term();
  }

  /** The CRC32C of the index (as its key) and {@code body}, the value after its checksum field. */
  private static int checksum(long index, ByteBuffer body) {
    CRC32C crc = new CRC32C();
    crc.update(Keys.entry(index));
    crc.update(body);
    return (int) crc.getValue();
  }

  private static CorruptedLogException corrupted(long index, String where, String problem) {
    return new CorruptedLogException("log entry " + index + " in " + where + " " + problem);
  }
}
