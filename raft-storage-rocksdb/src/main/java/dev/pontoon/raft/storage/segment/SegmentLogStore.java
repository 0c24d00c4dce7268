package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.Appends;
import dev.pontoon.raft.storage.Compactions;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.StorageException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link LogStore} on plain files: the log is its own write-ahead log, written into
 * segment files of a fixed size that were filled with zeros (or recycled) before use, so that
 * every write overwrites blocks the file already has and {@link #sync()} is one
 * {@code fdatasync} that flushes the data alone, with no filesystem journal commit and no second
 * copy of each byte.
 *
 * <p><b>Layout.</b> A directory of segment files ({@code segment-<id>.log}, ids consecutive), up
 * to two spares, and {@code segments.lock}, locked while a store has the directory open: a second
 * open, in this process or another, is refused with {@link StorageException}. Each segment
 * begins with a start record naming the segment, the cluster and
 * the node (checked on every open) and a checkpoint of the store (first and last index, the term
 * before the first, the hard state), followed by one record per write call: an entry, a hard
 * state, a suffix or a prefix truncation; see {@link Records}. Each record has a CRC32C checksum,
 * verified on recovery and on every read of an entry: a mismatch raises
 * {@link CorruptedLogException} naming the segment and offset. In memory the store keeps, per
 * entry, its term and where its record is (about 24 bytes); payloads are read from the file
 * (the page cache, for recent ones).
 *
 * <p><b>Durability.</b> Writes are buffered and written (unsynced) at the end of each
 * {@code append}, or at the next {@code sync()} for a hard state or truncation alone; a hard
 * state saved before an append travels in front of the append's entries, and a commit index that
 * advanced without new entries costs no write of its own. {@link #sync()} writes what is
 * buffered and {@code fdatasync}s the segment once for all of it (group commit). When a segment
 * is full it is sealed with an end record and synced before the next one is begun, so only the
 * last segment can hold unsynced writes. After a crash the store holds a prefix of the calls
 * made; after {@code sync()} returns, all of them.
 *
 * <p><b>Recovery.</b> {@link #open} replays the segments from the oldest. In the last segment
 * the replay stops at the first record that is not sound (cut short, failing its checksum, or
 * left from an earlier use of the file) and takes it and what follows for writes after the last
 * sync, which a crash may lose or tear, unless the segment shows otherwise: it searches the rest
 * of the segment for a sound record of the same writer (the same stamp, below) that says the
 * segment was synced past the unsound one, and if there is one, the open is refused with
 * {@link CorruptedLogException}, however many records that sync covered and whatever the damage
 * looks like (a flipped byte in a body or a length, a sector that reads back as zeros). A last
 * segment without a sound start record of its own is taken for a roll that a crash cut short, and
 * goes back to the spares, only when the same search finds nothing synced after its first record
 * and, if it is the log's only segment, it is segment 1 (the segments before any other are dropped
 * only after its start is synced); otherwise the open is refused and the file left as it is. The
 * recovered state is synced before the store is used. Damage in a sealed segment, or a missing
 * segment, refuses the open too, rather than recovering an older log or an older vote. The
 * limits, where damage reads as a torn write and what it hides is dropped: damage to the last
 * synced records with nothing sound written after them; damage to a reopen record (below), or to
 * the stamp of a start record, since the records after it carry the stamp that only it held; and
 * a start record that reads back as zeros, after a sealed segment or in segment 1.
 *
 * <p><b>Old data in reused files.</b> Every record carries a stamp: a random number chosen for
 * each segment when it is begun and again each time the store is opened (a reopen record carries
 * the new one). The replay accepts only records with the current stamp, so the records a recycled
 * file held before, or records written after the last sync by a run that then crashed, are never
 * taken for new ones, even where the new records happen to end exactly where an old one began.
 *
 * <p><b>Compaction.</b> {@link #truncatePrefix} keeps the entries after a snapshot only when the
 * log holds the snapshot's last included entry with the same term; otherwise it discards the
 * entire log (§7). Its record holds the outcome (new first and last index, the term before), so
 * the replay never needs dropped entries. After a {@code sync()}, segments older than the one
 * holding the first entry are dropped (recycled as spares or deleted); the checkpoint at the
 * start of each segment is what lets the replay begin at any of them.
 *
 * <p><b>Threading.</b> One writer thread and any number of concurrent readers, which take a read
 * lock for the lookup and the read of the file; the writer takes the write lock only to publish
 * what it wrote, never across a write or sync. A daemon thread ({@code pontoon-segment-spare})
 * fills the next spare in the background; it begins one only while at least two segments' worth
 * of space is free (the writer fills the segment it needs itself). {@link #close()} may be called
 * from any thread, once or more; calls after it throw {@link StorageException}. A caller's
 * interrupt neither fails a call nor breaks the store (a file channel closes itself when a thread
 * is interrupted in it: see {@code Segment}); the interrupt status is kept for the caller.
 *
 * <p><b>A full disk.</b> Writes go into blocks a segment already has, so the log fails only when it
 * needs a new segment and no spare is ready: the append throws {@link StorageException} naming
 * the disk's error, the partial file is deleted, and everything synced stays readable after a
 * restart. An open whose last segment is full needs a new one too, and refuses on a full disk.
 *
 * <p><b>Failure.</b> An I/O error is raised as {@link StorageException}, fatal for the node. A
 * store that refuses to open needs an operator: restore its directory from a backup or replace
 * the node with a new member. Restarting the node on an emptied directory under the same id
 * could make it vote twice in a term.
 */
public final class SegmentLogStore implements LogStore {
  private static final Logger log = LoggerFactory.getLogger(SegmentLogStore.class);
  /** Buffered writes are written out once they pass this, even in the middle of an append. */
  private static final int FLUSH_BYTES = 1 << 20;
  /** Entry reads fetch at most this many bytes per read from the file. */
  private static final int READ_RUN_BYTES = 1 << 20;

  private final SegmentLogStoreConfig config;
  private final String where;
  private final SegmentFiles files;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Guarded by {@link #lock}; the writer reads them without it, since only it changes them. */
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  private final Locations locations;
  private volatile HardState hardState;
  private volatile boolean closed;

  /** Guards the writer's state below against {@link #close()} from another thread. */
  private final Object writer = new Object();
  private final CRC32C crc = new CRC32C();
  private Segment active;
  /** The offset of {@link #active} where {@link #out}'s first byte goes. */
  private long writeAt;
  /** The offset of {@link #active} up to which everything is synced. */
  private int durable;
  private long stamp;
  private ByteBuffer out = ByteBuffer.allocate(64 << 10);
  private HardState pendingHardState;
  private boolean dirty;
  /** Entries encoded in {@link #out}, published to {@link #locations} once written. */
  private final PendingLocations pending = new PendingLocations();

  private SegmentLogStore(SegmentLogStoreConfig config, SegmentFiles files, Recovery.Recovered recovered) {
    this.config = config;
    this.where = config.directory().toString();
    this.files = files;
    try {
      synchronized (writer) {
        if (recovered == null) {
          this.locations = new Locations();
          this.hardState = HardState.INITIAL;
          startSegment(1);
        } else {
          this.locations = recovered.locations();
          this.hardState = clampCommit(recovered.hardState());
          for (Segment segment : recovered.segments()) {
            segments.put(segment.id(), segment);
            // The replay read the page cache, which may hold what no sync covered: a run that
            // crashed inside a seal, after the end record was written and before its sync, leaves
            // a segment that reads as sealed. Made durable before anything is written after it.
            segment.force();
          }
          active = segments.lastEntry().getValue();
          if (recovered.sealed()) {
            startSegment(active.id() + 1);
          } else {
            writeAt = recovered.end();
            stamp = recovered.stamp();
            // Records after the recovered end, from this file's earlier use or from writes the
            // crash tore, carry the old stamp: a new one fences them off for good.
            long fresh = newStamp();
            int start = Records.begin(out, stamp, (int) writeAt, Records.REOPEN);
            out.putLong(fresh);
            Records.finish(out, start, crc);
            stamp = fresh;
          }
        }
        flush();
        active.force();
        durable = (int) writeAt;
        dirty = false;
      }
    } catch (RuntimeException e) {
      // The open fails: close what it opened here too (a segment it began), not only what the replay did.
      segments.values().forEach(Segment::close);
      throw e;
    }
    files.prepareSpareInBackground();
  }

  /**
   * Opens the store in {@code config.directory()}, creating it when the directory holds no log.
   *
   * @throws CorruptedLogException if a sealed segment is damaged, a segment is missing or its file
   *     is shorter than any segment can be (cut short by something other than a crash), a record
   *     or the start record of the last segment is not sound though a later record of the same
   *     writer says it was synced, or the log's only segment, other than segment 1, has no sound
   *     start record; the message names segment and offset
   * @throws StorageException if the directory belongs to another cluster or node (the message
   *     names both identities), or cannot be read or written
   */
  public static SegmentLogStore open(SegmentLogStoreConfig config) {
    Objects.requireNonNull(config, "config");
    SegmentFiles files = new SegmentFiles(config.directory(), config.segmentBytes());
    Recovery.Recovered recovered = null;
    try {
      recovered = new Recovery(config, files).run();
      SegmentLogStore store = new SegmentLogStore(config, files, recovered);
      log.info("opened log store {}: [{}, {}], {} segment(s), {}", store.where, store.locations.firstIndex(),
          store.locations.lastIndex(), store.segments.size(), store.hardState);
      return store;
    } catch (RuntimeException e) {
      if (recovered != null) {
        recovered.segments().forEach(Segment::close);
      }
      files.close();
      throw e;
    }
  }

  /** The configuration the store was opened with. */
  public SegmentLogStoreConfig config() {
    return config;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public HardState loadHardState() {
    requireOpen();
    return hardState;
  }

  @Override
  public void saveHardState(HardState state) {
    Objects.requireNonNull(state, "state");
    synchronized (writer) {
      requireOpen();
      HardState kept = clampCommit(state);
      hardState = kept;
      pendingHardState = kept;
    }
  }

  /** Entries a snapshot covers are committed: the commit index never names less (see LogStore). */
  private HardState clampCommit(HardState state) {
    return state.withCommitIndexAtLeast(locations.firstIndex() - 1);
  }

  @Override
  public void append(List<LogEntry> entries) {
    synchronized (writer) {
      requireOpen();
      Appends.requireContinuation(entries, locations.firstIndex(), locations.lastIndex(), locations.lastTerm());
      if (entries.isEmpty()) {
        return;
      }
      // An append never spans two segments, so that every segment's checkpoint falls between
      // appends; within one, the replay takes it whole or not at all (Records.ENTRY_CONTINUED).
      long total = 0;
      for (LogEntry entry : entries) {
        total += Records.entryBytes(entry);
      }
      if (segmentBytesFor(total) > Records.MAX_SEGMENT_FILE_BYTES) {
        // Refused before anything is written or sealed: bad input changes nothing.
        throw new IllegalArgumentException("an append of " + entries.size() + " entries (" + total
            + " bytes of records) is too large for one segment (at most " + Records.MAX_SEGMENT_FILE_BYTES + ")");
      }
      writePendingHardState();
      roomInSegment(total);
      int last = entries.size() - 1;
      for (int i = 0; i <= last; i++) {
        LogEntry entry = entries.get(i);
        int size = Records.entryBytes(entry);
        roomInBuffer(size);
        pending.add(entry.term(), active.id(), (int) (writeAt + out.position()), size);
        Records.putEntry(out, stamp, durable, entry, i == last, crc);
      }
      flush();
    }
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    synchronized (writer) {
      requireOpen();
      if (fromIndex < locations.firstIndex()) {
        throw new IllegalArgumentException("cannot truncate from " + fromIndex + ": the log starts at "
            + locations.firstIndex() + " (compacted entries are committed)");
      }
      if (fromIndex > locations.lastIndex()) {
        return;
      }
      writePendingHardState();
      reserve(Records.HEADER + 8);
      int start = Records.begin(out, stamp, durable, Records.TRUNCATE_SUFFIX);
      out.putLong(fromIndex);
      Records.finish(out, start, crc);
      publish(() -> locations.truncateFrom(fromIndex));
    }
  }

  @Override
  public void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    synchronized (writer) {
      requireOpen();
      if (lastIncludedIndex < locations.firstIndex()) {
        return;
      }
      // Before its record is written: bad input changes nothing, and a record the replay cannot
      // apply would refuse every later open.
      Compactions.requireIndexAfter(lastIncludedIndex);
      // Retain the entries after the snapshot only if the log holds its last included entry with
      // the same term; otherwise discard the entire log (§7).
      long last = locations.lastIndex();
      boolean keepsSuffix = lastIncludedIndex < last && locations.term(lastIncludedIndex) == lastIncludedTerm;
      long first = lastIncludedIndex + 1;
      long lastKept = keepsSuffix ? last : lastIncludedIndex;
      writePendingHardState();
      reserve(Records.HEADER + 24);
      int start = Records.begin(out, stamp, durable, Records.TRUNCATE_PREFIX);
      out.putLong(first).putLong(lastIncludedTerm).putLong(lastKept);
      Records.finish(out, start, crc);
      publish(() -> locations.restart(first, lastIncludedTerm, lastKept));
      // The snapshot's entries are committed; the replay of this record raises the commit index
      // the same way, so a crash keeps both or neither.
      hardState = hardState.withCommitIndexAtLeast(lastIncludedIndex);
    }
  }

  @Override
  public void sync() {
    synchronized (writer) {
      requireOpen();
      writePendingHardState();
      flush();
      if (dirty) {
        // One fdatasync covers every write since the last one (group commit).
        active.force();
        durable = (int) writeAt;
        dirty = false;
      }
      dropSegmentsBeforeTheLog();
    }
  }

  /**
   * Segments older than the one holding the first entry hold nothing the log needs: the
   * truncations that removed their entries are synced, and the checkpoint of the next segment
   * replaces what they said about the hard state and the log's bounds.
   */
  private void dropSegmentsBeforeTheLog() {
    long oldestNeeded = locations.oldestSegment(active.id());
    if (segments.firstKey() >= oldestNeeded) {
      return;
    }
    List<Segment> dropped = new ArrayList<>();
    publish(() -> {
      Map<Long, Segment> head = segments.headMap(oldestNeeded);
      dropped.addAll(head.values());
      head.clear();
    });
    for (Segment segment : dropped) {
      segment.close();
      files.recycle(segment.path());
    }
  }

  private void writePendingHardState() {
    if (pendingHardState == null) {
      return;
    }
    reserve(Records.MAX_META_BYTES);
    int start = Records.begin(out, stamp, durable, Records.HARD_STATE);
    Records.putHardState(out, pendingHardState);
    Records.finish(out, start, crc);
    pendingHardState = null;
  }

  /** Makes room for a record of {@code bytes}: in this segment, or in a new one. */
  private void reserve(int bytes) {
    roomInSegment(bytes);
    roomInBuffer(bytes);
  }

  /** Begins a new segment unless {@code bytes} more fit in this one, with room left for its end record. */
  private void roomInSegment(long bytes) {
    if (writeAt + out.position() + bytes + Records.END_BYTES > active.capacity()) {
      seal();
      startSegment(active.id() + 1, bytes);
    }
  }

  /** Writes out or grows the buffer so that a record of {@code bytes} fits. */
  private void roomInBuffer(int bytes) {
    if (out.position() > 0 && out.position() + bytes > FLUSH_BYTES) {
      flush();
    }
    if (out.remaining() < bytes) {
      ByteBuffer larger = ByteBuffer.allocate(Math.max(out.capacity() * 2, out.position() + bytes));
      out.flip();
      larger.put(out);
      out = larger;
    }
  }

  /** Ends the active segment: an end record, and a sync, so that only the last segment is ever torn. */
  private void seal() {
    // The segment kept room for the end record, the buffer did not: records written since the last
    // flush (truncations, a hard state) may have left less than an end record's bytes in it.
    roomInBuffer(Records.END_BYTES);
    int start = Records.begin(out, stamp, durable, Records.END);
    Records.finish(out, start, crc);
    flush();
    active.force();
    dirty = false;
  }

  private void startSegment(long id) {
    startSegment(id, 0);
  }

  /** The smallest segment that holds a start record, {@code recordBytes} of records and an end record. */
  private static long segmentBytesFor(long recordBytes) {
    return Records.MAX_META_BYTES + recordBytes + Records.END_BYTES;
  }

  private void startSegment(long id, long firstRecordsBytes) {
    // append refused larger ones before writing anything; every other record is small
    Segment next = files.create(id, segmentBytesFor(firstRecordsBytes));
    publish(() -> segments.put(id, next));
    active = next;
    writeAt = 0;
    durable = 0;
    stamp = newStamp();
    int start = Records.begin(out, stamp, 0, Records.START);
    out.putLong(id);
    Records.putString(out, config.clusterId().value());
    Records.putString(out, config.nodeId().value());
    out.putLong(locations.firstIndex()).putLong(locations.termBeforeFirst()).putLong(locations.lastIndex());
    Records.putHardState(out, hardState);
    Records.finish(out, start, crc);
  }

  private static long newStamp() {
    return ThreadLocalRandom.current().nextLong();
  }

  /** Writes the buffered records, unsynced, and makes the entries among them readable. */
  private void flush() {
    if (out.position() == 0) {
      return;
    }
    out.flip();
    int bytes = out.remaining();
    active.write(out, writeAt);
    writeAt += bytes;
    out.clear();
    dirty = true;
    if (!pending.isEmpty()) {
      publish(() -> pending.drainInto(locations));
    }
  }

  private void publish(Runnable change) {
    Lock write = lock.writeLock();
    write.lock();
    try {
      change.run();
    } finally {
      write.unlock();
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public long firstIndex() {
    return readLong(locations::firstIndex);
  }

  @Override
  public long lastIndex() {
    return readLong(locations::lastIndex);
  }

  @Override
  public long term(long index) {
    return readLong(() -> {
      if (index < locations.firstIndex() - 1) {
        throw new LogCompactedException(index, locations.firstIndex());
      }
      if (index > locations.lastIndex()) {
        throw new IndexOutOfBoundsException("index " + index + " is past the last index " + locations.lastIndex());
      }
      return locations.term(index);
    });
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
    return read(() -> {
      if (fromIndex < locations.firstIndex()) {
        throw new LogCompactedException(fromIndex, locations.firstIndex());
      }
      if (toIndex > locations.lastIndex() + 1 || fromIndex > toIndex) {
        throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndex + ") is outside the log ["
            + locations.firstIndex() + ", " + locations.lastIndex() + "]");
      }
      List<LogEntry> result = new ArrayList<>();
      long bytes = 0;
      long index = fromIndex;
      CRC32C checksum = new CRC32C();
      byte[] buffer = new byte[0];
      while (index < toIndex) {
        // One read for a run of records that lie one after another in the same segment.
        long segment = locations.segment(index);
        int offset = locations.offset(index);
        int runBytes = 0;
        long end = index;
        while (end < toIndex && locations.segment(end) == segment && locations.offset(end) == offset + runBytes
            && (end == index || runBytes + locations.length(end) <= READ_RUN_BYTES)) {
          long size = locations.length(end) - Records.HEADER - Records.ENTRY_FIXED + 24L;
          if (!result.isEmpty() || end > index) {
            if (bytes + size > maxBytes) {
              break;
            }
          }
          bytes += size;
          runBytes += locations.length(end);
          end++;
        }
        if (end == index) {
          break;
        }
        if (buffer.length < runBytes) {
          buffer = new byte[runBytes];
        }
        Segment file = segments.get(segment);
        file.read(offset, buffer, runBytes);
        int at = 0;
        for (long i = index; i < end; i++) {
          int length = locations.length(i);
          LogEntry entry = Records.entryOrNull(buffer, at, length, i, checksum);
          if (entry == null || entry.term() != locations.term(i)) {
            throw new CorruptedLogException("log entry " + i + " in " + where + " (segment " + segment + ", offset "
                + (offset + at) + ") fails its checksum");
          }
          result.add(entry);
          at += length;
        }
        index = end;
      }
      return result;
    });
  }

  /** As {@link #read}, for the bounds the core asks for several times per batch: no boxed Long each time. */
  private long readLong(LongSupplier operation) {
    Lock read = lock.readLock();
    read.lock();
    try {
      requireOpen();
      return operation.getAsLong();
    } finally {
      read.unlock();
    }
  }

  private <T> T read(Supplier<T> operation) {
    Lock read = lock.readLock();
    read.lock();
    try {
      requireOpen();
      return operation.get();
    } finally {
      read.unlock();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new StorageException("the log store in " + where + " is closed");
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Writes what is buffered (unsynced, so that an orderly stop keeps a commit index that advanced
   * alone) and closes the files; later calls do nothing.
   */
  @Override
  public void close() {
    synchronized (writer) {
      if (closed) {
        return;
      }
      try {
        writePendingHardState();
        flush();
      } catch (StorageException e) {
        log.warn("closing {}: buffered writes were not written: {}", where, e.getMessage());
      }
      publish(() -> {
        closed = true;
        segments.values().forEach(Segment::close);
      });
      files.close();
      log.info("closed log store {}", where);
    }
  }

  @Override
  public String toString() {
    return "SegmentLogStore[" + where + "]";
  }
}
