package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The record format of a segment file. Every record is
 *
 * <pre>
 *   length  int   the whole record, header included
 *   crc     int   CRC32C of the length and of everything after this field
 *   stamp   long  the stamp of the segment's writer at the time (see {@link SegmentLogStore})
 *   synced  int   the offset of this segment known durable when the record was written
 *   type    byte
 *   body    ...   by type, below
 * </pre>
 *
 * <p>Bodies: {@link #START} the segment id, cluster and node, and a checkpoint of the store
 * (first index, the term before it, last index, hard state); {@link #ENTRY} index, term, kind
 * and payload, as {@link #ENTRY_CONTINUED} for every entry of an append but its last, so that the
 * replay takes an append whole or not at all; {@link #HARD_STATE}; {@link #TRUNCATE_SUFFIX} the first index removed;
 * {@link #TRUNCATE_PREFIX} the outcome of a compaction (new first index, the term before it, new
 * last index), so that replaying it never needs the terms of entries in dropped segments;
 * {@link #REOPEN} the stamp of the records that follow; {@link #END} nothing. All integers are
 * big-endian.
 */
final class Records {
  static final int HEADER = 21;
  static final byte START = 1;
  static final byte ENTRY = 2;
  static final byte HARD_STATE = 3;
  static final byte TRUNCATE_SUFFIX = 4;
  static final byte TRUNCATE_PREFIX = 5;
  static final byte REOPEN = 6;
  static final byte END = 7;
  /** An entry followed by more entries of the same append: see {@link #ENTRY}. */
  static final byte ENTRY_CONTINUED = 8;
  /** The size of an {@link #END} record, which every segment keeps room for. */
  static final int END_BYTES = HEADER;
  /** Entry body before the payload: index, term, kind. */
  static final int ENTRY_FIXED = 17;

  private Records() {}

  /** The bytes an entry's record takes. */
  static int entryBytes(LogEntry entry) {
    return HEADER + ENTRY_FIXED + entry.payload().size();
  }

  // ---------------------------------------------------------------- writing

  /** Starts a record at {@code out}'s position; finish it with {@link #finish}. */
  static int begin(ByteBuffer out, long stamp, int synced, byte type) {
    int start = out.position();
    out.putInt(0).putInt(0).putLong(stamp).putInt(synced).put(type);
    return start;
  }

  /** Fills in length and checksum of the record begun at {@code start}, ending at the position. */
  static void finish(ByteBuffer out, int start, CRC32C crc) {
    int length = out.position() - start;
    out.putInt(start, length);
    out.putInt(start + 4, checksum(out.array(), out.arrayOffset() + start, length, crc));
  }

  static void putEntry(ByteBuffer out, long stamp, int synced, LogEntry entry, boolean lastOfAppend, CRC32C crc) {
    int start = begin(out, stamp, synced, lastOfAppend ? ENTRY : ENTRY_CONTINUED);
    out.putLong(entry.index()).putLong(entry.term()).put((byte) entry.kind().code());
    Bytes payload = entry.payload();
    payload.copyTo(out.array(), out.arrayOffset() + out.position());
    out.position(out.position() + payload.size());
    finish(out, start, crc);
  }

  static void putHardState(ByteBuffer out, HardState state) {
    out.putLong(state.currentTerm()).putLong(state.commitIndex());
    putString(out, state.votedFor() == null ? null : state.votedFor().value());
  }

  static void putString(ByteBuffer out, String value) {
    if (value == null) {
      out.putShort((short) -1);
      return;
    }
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    out.putShort((short) utf8.length).put(utf8);
  }

  /** Room a hard state or an identity string may take in a body: 8 + 8 + 2 + 255 each, rounded up. */
  static final int MAX_META_BYTES = 1024;
  /** The largest segment file: the replay reads a segment whole into one array. */
  static final long MAX_SEGMENT_FILE_BYTES = Integer.MAX_VALUE - 8;

  // ---------------------------------------------------------------- reading

  static int checksum(byte[] data, int offset, int length, CRC32C crc) {
    crc.reset();
    crc.update(data, offset, 4);
    crc.update(data, offset + 8, length - 8);
    return (int) crc.getValue();
  }

  /**
   * The length of the sound record at {@code offset} of {@code data} (whose valid bytes end at
   * {@code limit}) written with {@code stamp}, or -1 when there is none there: a length out of
   * range, a checksum mismatch or another stamp.
   */
  static int soundLength(byte[] data, int offset, int limit, long stamp, CRC32C crc) {
    if (limit - offset < HEADER) {
      return -1;
    }
    ByteBuffer view = ByteBuffer.wrap(data);
    int length = view.getInt(offset);
    if (length < HEADER || length > limit - offset) {
      return -1;
    }
    if (view.getInt(offset + 4) != checksum(data, offset, length, crc)) {
      return -1;
    }
    return view.getLong(offset + 8) == stamp ? length : -1;
  }

  static long stamp(byte[] data, int offset) {
    return ByteBuffer.wrap(data).getLong(offset + 8);
  }

  static int synced(byte[] data, int offset) {
    return ByteBuffer.wrap(data).getInt(offset + 16);
  }

  static byte type(byte[] data, int offset) {
    return data[offset + 20];
  }

  /** A reader of a record's body, positioned after the header. */
  static ByteBuffer body(byte[] data, int offset, int length) {
    return ByteBuffer.wrap(data, offset + HEADER, length - HEADER);
  }

  static HardState getHardState(ByteBuffer body) {
    long term = body.getLong();
    long commit = body.getLong();
    String vote = getString(body);
    return new HardState(term, vote == null ? null : NodeId.of(vote), commit);
  }

  static String getString(ByteBuffer body) {
    int length = body.getShort();
    if (length < 0) {
      return null;
    }
    byte[] utf8 = new byte[length];
    body.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  /**
   * The entry in the record at {@code offset}, checked against its checksum and expected index.
   *
   * @return null when the record is not a sound entry record of that index
   */
  static LogEntry entryOrNull(byte[] data, int offset, int length, long index, CRC32C crc) {
    ByteBuffer view = ByteBuffer.wrap(data);
    if (length < HEADER + ENTRY_FIXED || view.getInt(offset) != length
        || view.getInt(offset + 4) != checksum(data, offset, length, crc)
        || (data[offset + 20] != ENTRY && data[offset + 20] != ENTRY_CONTINUED)) {
      return null;
    }
    ByteBuffer body = body(data, offset, length);
    long stored = body.getLong();
    long term = body.getLong();
    EntryKind kind = EntryKind.ofCode(body.get() & 0xff);
    if (stored != index || kind == null || term < 1) {
      return null;
    }
    int payloadLength = length - HEADER - ENTRY_FIXED;
    Bytes payload = payloadLength == 0 ? Bytes.EMPTY : Bytes.of(data, offset + HEADER + ENTRY_FIXED, payloadLength);
    return new LogEntry(index, term, kind, payload);
  }
}
