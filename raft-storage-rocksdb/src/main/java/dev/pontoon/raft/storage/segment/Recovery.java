package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.StorageException;
import java.nio.ByteBuffer;
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
 * written. When the record after an unsound one is sound and says that the unsound one had been
 * synced, the unsound one is damage to synced data, not a torn write, and the open is refused
 * with {@link CorruptedLogException} rather than dropping what was acknowledged. Damage to the
 * last synced records with nothing sound after them cannot be told from a torn write, and is
 * dropped like one.
 */
final class Recovery {
  private static final Logger log = LoggerFactory.getLogger(Recovery.class);

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
      boolean started = startLength > 0 && Records.type(data, 0) == Records.START
          && Records.body(data, 0, startLength).getLong() == id;
      if (!started) {
        segment.close();
        if (!last) {
          throw corrupted(segment, 0, "its first record is not a sound start record of this segment");
        }
        // A roll interrupted before its start record was written: the file is a zero-filled or
        // recycled spare (whose old start record names the segment it was). The previous segment,
        // if any, was sealed and synced first, so nothing is lost; the file goes back to the spares.
        log.info("log {}: segment {} was never started; recycling it", where, id);
        files.recycle(segment.path());
        if (open.isEmpty()) {
          return null;
        }
        if (!sealed) {
          throw corrupted(open.get(open.size() - 1), end, "the segment after it exists, but it has no end record");
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
          refuseIfSynced(segment, at, limit, stamp);
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
   * The record at {@code at} is not sound. If the record its length points to is sound, carries
   * the stamp of the records replayed so far ({@code stamp}) and was written after {@code at} had
   * been synced, the unsound one is damage to synced data. Within one stamp, records are written
   * at increasing offsets only, so such a record was written after the one at {@code at}; a record
   * of another stamp (from the file's earlier use) says nothing about this one.
   */
  private void refuseIfSynced(Segment segment, int at, int limit, long stamp) {
    if (limit - at < Records.HEADER) {
      return;
    }
    int length = ByteBuffer.wrap(data).getInt(at);
    if (length < Records.HEADER || length > limit - at) {
      return;
    }
    int next = at + length;
    if (Records.soundLength(data, next, limit, stamp, crc) > 0 && Records.synced(data, next) > at) {
      throw corrupted(segment, at, "the record there fails its checksum, though the record after it says it was synced");
    }
  }

  private int load(Segment segment) {
    long size = segment.capacity();
    if (size > Records.MAX_SEGMENT_FILE_BYTES) {
      throw corrupted(segment, 0, "it is larger than a segment can be");
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
