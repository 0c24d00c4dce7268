package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.StorageException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays the segments of a directory into the store's state on open.
 *
 * <p><b>What a crash can leave.</b> Every segment but the last was synced whole before the next
 * was begun ({@link SegmentLogStore}), so damage there is corruption. In the last segment,
 * records after the last sync may be missing, cut short, or present past a missing one (pages
 * written back out of order). The replay takes the sound records in order and stops at the first
 * that is not sound: what it keeps is a prefix of the writes made, as the {@code LogStore}
 * contract asks.
 *
 * <p><b>Torn write or damage?</b> Each record carries the offset that was durable when it was
 * written. When a record of the last segment (its start record included) is not sound, the rest
 * of the segment is searched, at every offset, for a sound record of the same writer (the same
 * stamp) that says the segment was durable past the unsound one: if there is one, the unsound
 * record is damage to synced data, not a torn write, and the open is refused with
 * {@link CorruptedLogException} rather than dropping what was acknowledged. Damage to the last
 * synced records with nothing sound written after them cannot be told from a torn write, and is
 * dropped like one. The argument, and what the search cannot see, are in the implementation notes
 * below.
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  /** What the replay found. */
  record Recovered(List<Segment> segments, Locations locations, HardState hardState, int end, long stamp,
      boolean sealed) {}

  private final SegmentLogStoreConfig config;
  private final SegmentFiles files;
  private final CRC32C crc = new CRC32C();
  private final String where;
  private byte[] data = new byte[0];

  Recovery(SegmentLogStoreConfig config, SegmentFiles files) {
    this.config = config;
    this.files = files;
    this.where = config.directory().toString();
  }

  /** The replayed state, or null when the directory holds no log yet. */
  Recovered run() {
    List<Long> ids = files.segmentIds();
    List<Segment> open = new ArrayList<>();
    try {
      Recovered recovered = replay(ids, open);
      if (recovered == null) {
        open.forEach(Segment::close);
      }
      return recovered;
    } catch (RuntimeException e) {
      open.forEach(Segment::close);
      throw e;
    }
  }

  private Recovered replay(List<Long> ids, List<Segment> open) {
    if (ids.isEmpty()) {
      return null;
    }
    for (int i = 1; i < ids.size(); i++) {
      if (ids.get(i) != ids.get(i - 1) + 1) {
        throw new CorruptedLogException("the log in " + where + " is missing segment " + (ids.get(i - 1) + 1)
            + " between " + ids.get(i - 1) + " and " + ids.get(i));
      }
    }
    Locations locations = new Locations();
    PendingLocations append = new PendingLocations();
    HardState hardState = HardState.INITIAL;
    int end = 0;
    long stamp = 0;
    boolean sealed = false;
    for (int i = 0; i < ids.size(); i++) {
      long id = ids.get(i);
      boolean last = i == ids.size() - 1;
      Segment segment = Segment.open(id, files.segmentPath(id));
      int limit;
      try {
        limit = load(segment);
      } catch (RuntimeException e) {
        segment.close();
        throw e;
      }
      long startStamp = Records.stamp(data, 0);
      int startLength = Records.soundLength(data, 0, limit, startStamp, crc);
      boolean aStart = startLength > 0 && Records.type(data, 0) == Records.START;
      if (!aStart || Records.body(data, 0, startLength).getLong() != id) {
        segment.close();
        if (!last) {
          throw corrupted(segment, 0, "its first record is not a sound start record of this segment");
        }
        recycleUnstarted(segment, limit, open.isEmpty() ? null : open.get(open.size() - 1), sealed, end);
        if (open.isEmpty()) {
          return null;
        }
        break;
      }
      open.add(segment);
      stamp = startStamp;
      ByteBuffer start = Records.body(data, 0, startLength);
      start.getLong();
      String cluster = Records.getString(start);
      String node = Records.getString(start);
      long checkpointFirst = start.getLong();
      long checkpointTermBefore = start.getLong();
      long checkpointLast = start.getLong();
      HardState checkpointHardState = Records.getHardState(start);
      if (!config.clusterId().value().equals(cluster) || !config.nodeId().value().equals(node)) {
        throw new StorageException("the log in " + where + " belongs to cluster " + cluster + ", node " + node
            + ", not to cluster " + config.clusterId().value() + ", node " + config.nodeId().value());
      }
      if (open.size() == 1) {
        locations.restart(checkpointFirst, checkpointTermBefore, checkpointFirst - 1);
        for (long index = checkpointFirst; index <= checkpointLast; index++) {
          locations.add(0, Locations.ELSEWHERE, 0, 0);
        }
        hardState = checkpointHardState;
      } else if (checkpointFirst != locations.firstIndex() || checkpointLast != locations.lastIndex()) {
        throw corrupted(segment, 0, "its checkpoint holds [" + checkpointFirst + ", " + checkpointLast
            + "] but the segments before it hold [" + locations.firstIndex() + ", " + locations.lastIndex() + "]");
      }
      sealed = false;
      int at = startLength;
      while (true) {
        int length = Records.soundLength(data, at, limit, stamp, crc);
        if (length < 0) {
          if (!last) {
            throw corrupted(segment, at, "a record is damaged or missing before the segment's end record");
          }
          refuseIfSynced(segment, at, limit, stamp, "the record there is damaged");
          if (!append.isEmpty()) {
            log.info("log {}: the append at the end of segment {} was cut short; its {} written entries are dropped",
                where, id, append.size());
            append.clear();
          }
          if (at < limit && data[at] != 0) {
            log.info("log {}: segment {} ends at offset {}; the unsynced writes after it are dropped", where, id, at);
          }
          break;
        }
        ByteBuffer body = Records.body(data, at, length);
        byte type = Records.type(data, at);
        if (!append.isEmpty() && type != Records.ENTRY && type != Records.ENTRY_CONTINUED && type != Records.REOPEN) {
          throw corrupted(segment, at, "a record of type " + type + " interrupts an append");
        }
        switch (type) {
          case Records.ENTRY, Records.ENTRY_CONTINUED -> {
            long index = body.getLong();
            long term = body.getLong();
            long expected = locations.lastIndex() + 1 + append.size();
            if (index != expected) {
              throw corrupted(segment, at, "entry " + index + " follows entry " + (expected - 1));
            }
            append.add(term, id, at, length);
            if (type == Records.ENTRY) {
              append.drainInto(locations);
            }
          }
          case Records.HARD_STATE -> hardState = Records.getHardState(body);
          case Records.TRUNCATE_SUFFIX -> {
            long from = body.getLong();
            if (from < locations.firstIndex() || from > locations.lastIndex() + 1) {
              throw corrupted(segment, at, "a truncation from " + from + " is outside the log ["
                  + locations.firstIndex() + ", " + locations.lastIndex() + "]");
            }
            locations.truncateFrom(from);
          }
          case Records.TRUNCATE_PREFIX -> {
            long first = body.getLong();
            long termBefore = body.getLong();
            long lastKept = body.getLong();
            locations.restart(first, termBefore, lastKept);
            hardState = hardState.withCommitIndexAtLeast(first - 1);
          }
          case Records.REOPEN -> {
            // The append the last run was writing when it stopped never finished.
            append.clear();
            stamp = body.getLong();
          }
          case Records.END -> sealed = true;
          default -> throw corrupted(segment, at, "record type " + type
              + " is unknown (a store written by a newer version?)");
        }
        at += length;
        if (sealed) {
          break;
        }
      }
      end = at;
    }
    long missing = locations.firstElsewhere();
    if (missing >= 0) {
      throw new CorruptedLogException("the log in " + where + " holds entry " + missing
          + " in a segment that was dropped: a segment file is missing");
    }
    return new Recovered(open, locations, hardState, end, stamp, sealed);
  }

  /**
   * The last segment has no sound start record of its own: it goes back to the spares if it was
   * never started, a roll cut short by a crash; if it was, the open is refused and the file is left
   * as it is. A roll syncs the segment before it ({@code previous}, sealed) before it makes the file,
   * a zero-filled spare or a recycled one whose old start record names the segment it was. Anything
   * else at offset 0 is this segment's start record, torn before a sync covered it or damaged after
   * one did, and only the records after it can tell (see {@link #refuseIfSynced}).
   */
  private void recycleUnstarted(Segment segment, int limit, Segment previous, boolean sealed, int previousEnd) {
    if (previous == null && segment.id() > 1) {
      // The segments before it are dropped only by a sync, which covered its start record first.
      throw corrupted(segment, 0, "it is the log's only segment, and its first record is not a sound start"
          + " record of this segment");
    }
    long stamp = Records.stamp(data, 0);
    int length = Records.soundLength(data, 0, limit, stamp, crc);
    boolean torn = (length < 0 || Records.type(data, 0) != Records.START) && !zeros(0, Math.min(limit, Records.HEADER));
    if (torn) {
      refuseIfSynced(segment, 0, limit, stamp, "its start record is damaged");
    }
    if (previous != null && !sealed) {
      throw corrupted(previous, previousEnd, "the segment after it exists, but it has no end record");
    }
    log.info(torn ? "log {}: segment {} has a start record that no sync covered; recycling it"
        : "log {}: segment {} was never started; recycling it", where, segment.id());
    files.recycle(segment.path());
  }

  /**
   * The record at {@code at} of the last segment is not sound: refuses the open if a sync covered
   * it, which a sound record after it, written with {@code stamp}, says by a {@code synced} field
   * past {@code at}.
   */
  private void refuseIfSynced(Segment segment, int at, int limit, long stamp, String what) {
    int proof = syncedPast(at, limit, stamp);
    if (proof >= 0) {
      throw corrupted(segment, at, what + ", though the record at offset " + proof + " says it was synced");
    }
  }

  /**
   * The offset of the first sound record after {@code at} that carries {@code stamp} and says that
   * the segment was durable past {@code at} when it was written, or -1 when there is none. Every
   * offset is tried, since records are not aligned and the damage may be in the length that would
   * lead to the next one; eight bytes at a time are searched for one byte of the stamp, and only
   * where it is found is the stamp compared, and only then the checksum computed.
   */
  private int syncedPast(int at, int limit, long stamp) {
    // The stamp's first byte that is not zero: unused space is zeros, and never matches it.
    int key = 0;
    while (key < 7 && (byte) (stamp >>> (56 - 8 * key)) == 0) {
      key++;
    }
    byte keyByte = (byte) (stamp >>> (56 - 8 * key));
    long pattern = ONES * (keyByte & 0xff);
    int from = at + 1 + 8 + key;
    int to = limit - Records.HEADER + 8 + key + 1;
    for (int word = from; word < to; word += 8) {
      if (word + 8 <= to) {
        long bytes = (long) LONGS.get(data, word) ^ pattern;
        if (((bytes - ONES) & ~bytes & HIGHS) == 0) {
          continue; // none of the eight is the stamp's byte
        }
      }
      for (int i = word; i < Math.min(word + 8, to); i++) {
        int offset = i - 8 - key;
        if (data[i] == keyByte && Records.stamp(data, offset) == stamp
            && Records.soundLength(data, offset, limit, stamp, crc) > 0 && Records.synced(data, offset) > at) {
          return offset;
        }
      }
    }
    return -1;
  }

  /* implementation notes

     Why a record that says it was synced past an unsound one proves damage (refuseIfSynced).

     A record's synced field is the offset up to which its segment was durable when the record was
     encoded: the writer raises it only after the fdatasync returned (SegmentLogStore.sync, and the
     open, which forces what it recovered before its reopen record names the recovered end). So a
     record with synced > at was written after the bytes at `at` had reached the disk. Nothing
     writes below a durable offset afterwards: within one stamp the writer only moves forward, and a
     later run begins (with a reopen record) at the end the replay recovered, which is past every
     synced record unless the disk damaged one. A torn write is a write after the last sync, so no
     record can say that it was synced: it is dropped, and records written after it but before any
     sync (pages written back out of order) say synced <= at and are dropped with it.

     Only records with the stamp in force at `at` count. A stamp is drawn at random when a segment is
     begun and on every open, so a record of another stamp is from the file's earlier use as another
     segment (a recycled spare), from writes a crash tore in an earlier run (their synced fields are
     about other writes and prove nothing), or from a later run. A record with the stamp in force
     was written by the one run that drew it, and after the record at `at` (it is further on, and
     that run only moves forward). A later run is found by its reopen record, which carries the
     stamp it found in force and, as its synced field, the end it recovered: its own offset, past
     `at`.

     A start record that is not sound is the same question at offset 0 (recycleUnstarted): the
     records that carry the stamp in its stamp field and say synced > 0 were written after a sync
     covered it. Records that were written before the first sync say synced = 0 and prove nothing,
     which is right: a roll cut short leaves exactly those. This assumes that a start record is not
     torn within its first 16 bytes into new length and checksum and the old stamp of a recycled
     file's earlier use, whose records would then pass for proof: a disk writes a 512-byte sector
     whole, and those 16 bytes lie in the first.

     What the scan cannot see, and reads as a torn write: damage to the last synced records with
     nothing sound written after them; records written under a stamp that only a damaged record
     held (the new stamp in a damaged reopen record, or a start record whose stamp field itself is
     damaged); and a start record that reads back as zeros, which is taken for a zero-filled spare
     that was never started, except in a log's only segment other than segment 1, which a crash
     cannot leave unstarted.

     The scan costs one pass over the rest of the last segment, on every open whose last segment is
     not sealed (its unused space is where the replay stops), next to the checksums of every record
     the replay has computed by then.
  */

  private boolean zeros(int from, int to) {
    for (int i = from; i < to; i++) {
      if (data[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private int load(Segment segment) {
    long size = segment.capacity();
    if (size > Records.MAX_SEGMENT_FILE_BYTES) {
      throw corrupted(segment, 0, "it is larger than a segment can be");
    }
    if (size < SegmentLogStoreConfig.MIN_SEGMENT_BYTES) {
      // Every segment is a file filled and synced to at least the smallest segment size before it
      // is renamed into place, and the writer never shortens one: no crash leaves a shorter file.
      // Something else cut it (a damaged filesystem, a copy that stopped part-way), and what it
      // held may have been synced; taken for a roll cut short, it was deleted with its entries.
      throw corrupted(segment, size, "the file holds " + size + " bytes, fewer than any segment (at least "
          + SegmentLogStoreConfig.MIN_SEGMENT_BYTES + "): it was cut short");
    }
    if (data.length < size) {
      data = new byte[(int) size];
    }
    segment.read(0, data, (int) size);
    return (int) size;
  }

  private CorruptedLogException corrupted(Segment segment, long offset, String why) {
    return new CorruptedLogException("the log in " + where + " is damaged: segment " + segment.id() + " at offset "
        + offset + ": " + why);
  }
}
