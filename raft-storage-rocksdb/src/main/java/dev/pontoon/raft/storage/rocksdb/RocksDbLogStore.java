package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.Appends;
import dev.pontoon.raft.storage.Compactions;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.StorageException;
import dev.pontoon.raft.storage.rocksdb.MetaCodec.LogStart;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link LogStore} on RocksDB: the Raft log replaces a write-ahead log, so each entry
 * and the hard state are on disk before the node answers (Raft Figure 2, "updated on stable
 * storage before responding to RPCs").
 *
 * <p><b>Layout.</b> Column family {@code entries} maps the index (8 bytes, big-endian) to the
 * term, kind and payload of the entry with a CRC32C checksum, verified on every read: a mismatch
 * raises {@link CorruptedLogException} naming the index and the directory. Column family
 * {@code meta} holds the hard state (term, vote and the commit index hint, which a prefix
 * truncation raises to the snapshot's index in its own batch), where the log starts after
 * compaction (with the term just before) and the store's identity (cluster id and node id),
 * checked on every open.
 *
 * <p><b>Durability.</b> Each {@code append}, {@code truncateSuffix} and {@code truncatePrefix}
 * is one atomic {@code WriteBatch}, written to the WAL without fsync; {@link #sync()} fsyncs the
 * WAL once for all of them (group commit). A hard state saved before an append travels in the
 * append's batch, or is written at the next {@code sync()} or {@link #close()}: a commit index that
 * advanced without new entries costs no write of its own. After a crash the store holds a prefix
 * of the calls made; after {@code sync()} returns, all of them.
 *
 * <p><b>Recovery.</b> {@link #open} replays the WAL. A record cut short at the end of a WAL file,
 * as a crash in the middle of a write leaves it, is dropped: on a sound disk only an unsynced
 * write ends that way. Any other damage to the WAL (a record failing its checksum, even the last
 * one) refuses the open with {@link CorruptedLogException} naming the directory, rather than
 * recovering an older log or an older vote. The limits of the WAL's format: damage that leaves no
 * bad record behind (the end of a WAL file cut off, a record length near the end of the file
 * damaged to point past it, a record header zeroed, which reads as preallocated space) drops
 * synced writes as a torn write would be dropped; and after a power loss, a last record that
 * reached the disk only in part can refuse the open, since RocksDB cannot tell it from a damaged
 * synced record.
 *
 * <p><b>Compaction.</b> {@link #truncatePrefix} keeps the entries after a snapshot only when the
 * log holds the snapshot's last included entry with the same term; otherwise it discards the
 * entire log (§7). Both truncations are range deletions, recorded in the WAL like any write, so a
 * synced truncation is never undone by a restart.
 *
 * <p><b>Table files.</b> RocksDB moves the log from its memtables into table files in the
 * background. Where the directory's filesystem accepts direct I/O ({@code O_DIRECT}; some do
 * not, such as tmpfs on older kernels), checked at {@link #open}, those flushes and compactions
 * write with direct I/O ({@link #tablesWrittenWithDirectIo()}). Through the page cache, each
 * flush's dirty data was written back while the WAL syncs of the writes in flight waited behind
 * it. Measured at 128 outstanding writes, 3 members on one disk: with {@code pontoon-load
 * --in-process}, p99 7.9–10.2 ms → 2.6–3.5 ms and 129–137k → 150–164k writes/s; in the peer
 * benchmark's job, p99 4.6–5.6 → 2.9–4.3 ms with throughput level. Durability is the same either
 * way: a table file is synced before RocksDB relies on it.
 *
 * <p><b>Memory.</b> Besides RocksDB's own (memtables, block cache: {@link RocksDbLogStoreConfig}),
 * the store keeps one direct buffer into which it encodes each entry it writes, as large as the
 * largest entry written so far and at most 1 MiB; larger entries are encoded into a heap array
 * of their own.
 *
 * <p><b>Threading.</b> One writer thread and any number of concurrent readers. {@link #close()}
 * may be called from any thread, once or more; calls after it throw {@link StorageException}.
 *
 * <p><b>Failure.</b> A RocksDB error is raised as {@link StorageException}, fatal for the node;
 * damage found on open or in an entry read is a {@link CorruptedLogException}. A store that
 * refuses to open needs an operator: restore its directory from a backup or replace the node with
 * a new member. Restarting the node on an emptied directory under the same id could make it vote
 * twice in a term.
 */
public final class RocksDbLogStore implements LogStore {
  private static final Logger log = LoggerFactory.getLogger(RocksDbLogStore.class);
  private static final int MAX_READ_ATTEMPTS = 4;

  /* Implementation notes.
   *
   * Why unsynced writes plus one WAL fsync, rather than a pending WriteBatch written at sync():
   * RocksDB makes a written batch visible to readers atomically, so reads see every write at once
   * (read-your-writes) without an overlay to merge with the database — an overlay would have to
   * replay range deletions over iterators, which RocksDB's WriteBatchWithIndex does not support.
   * The WAL is append-only and recovered as a prefix, so the "call order" guarantee holds for
   * unsynced writes too, and the cost per write is one buffered write() into the page cache, small
   * beside the single fsync that sync() pays for the whole group.
   *
   * Recovery on open (TolerateCorruptedTailRecords, see RocksHandles): a process crash leaves at
   * most the last record of the WAL cut short, since nothing written to the page cache is lost; an
   * OS crash or power loss can damage only what was written after the last sync, since everything
   * before it was fsynced. RocksDB's reader drops a record whose header or body runs past the end
   * of the file and reports any other problem (checksum mismatch, unknown record type, a
   * fragmented record missing its middle or end) as corruption, which this mode turns into a
   * failed open where PointInTimeRecovery would stop the replay there and open. No recovery mode
   * can tell these cases apart, in either direction:
   *   - synced records lost without a bad record left behind, dropped like a torn write: a file
   *     cut at a record boundary; a length field in the file's last 32 KiB block damaged to point
   *     past the end (the reader stops there); a record header whose length and type are zeroed
   *     (read as preallocated space: the rest of its 32 KiB block is skipped);
   *   - a full-length but damaged last record after a power loss (pages of an unsynced write
   *     persisted out of order), refused like damage to synced data.
   * Closing the first gap needs a durable note of the last sync outside the WAL, i.e. a second
   * fsync per sync(), which the store does not pay. The second errs on the safe side.
   *
   * Readers and the writer: the visible bounds (first, last index and their terms) live in one
   * immutable record published through a volatile field. The writer shrinks the bounds before a
   * truncation reaches the database and grows them only after an append reached it, so a reader
   * that checked its range against the bounds never finds an entry missing unless the writer
   * touched that range meanwhile; then the read is retried against the new bounds, and only a
   * hole that persists under unchanged bounds is reported as corruption.
   *
   * Close versus reads: RocksDB objects must not be used after they are freed (that would crash
   * the JVM, not throw), so every operation holds the read side of a lock and close() takes the
   * write side.
   */

  private final RocksDbLogStoreConfig config;
  private final RocksHandles rocks;
  private final String where;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Object writer = new Object();
  private final StoredEntries stored;

  private volatile Bounds bounds;
  private volatile HardState hardState;
  /** A saved hard state not yet written; it joins the next batch. Guarded by {@link #writer}. */
  private HardState pendingHardState;
  /** Encodes the entries of each append into the batch. Guarded by {@link #writer}. */
  private final EntryWriter entryWriter;
  /** Whether anything was written since the last sync. Guarded by {@link #writer}. */
  private boolean dirty;

  private RocksDbLogStore(RocksDbLogStoreConfig config, RocksHandles rocks) {
    this.config = config;
    this.rocks = rocks;
    this.where = config.directory().toString();
    this.stored = new StoredEntries(rocks, where);
    this.entryWriter = new EntryWriter(rocks.entries);
  }

  /**
   * Opens the store in {@code config.directory()}, creating it when the directory is empty.
   *
   * @throws CorruptedLogException if the write-ahead log holds damage other than a last record
   *     cut short by a crash, or the metadata fails its checksum; the message names the directory
   * @throws StorageException if the directory belongs to another cluster or node (the message
   *     names both identities), is not a Pontoon log store, or RocksDB cannot open it
   */
  public static RocksDbLogStore open(RocksDbLogStoreConfig config) {
    return open(config, DirectIo::supported);
  }

  /** {@link #open(RocksDbLogStoreConfig)}, asking {@code directIoSupported} about the directory (tests). */
  static RocksDbLogStore open(RocksDbLogStoreConfig config, Predicate<Path> directIoSupported) {
    Objects.requireNonNull(config, "config");
    RocksHandles rocks = RocksHandles.open(config, directIoSupported);
    RocksDbLogStore store = new RocksDbLogStore(config, rocks);
    try {
      Recovery recovery = new Recovery(rocks, store.where);
      recovery.checkIdentity(config);
      Recovery.Recovered recovered = recovery.load();
      store.bounds = recovered.bounds();
      store.hardState = recovered.hardState();
    } catch (RuntimeException e) {
      rocks.close();
      throw e;
    }
    log.info("opened log store {} for node {} of cluster {}: entries [{}, {}], {}, table files written {}", store.where,
        config.nodeId(), config.clusterId(), store.bounds.firstIndex(), store.bounds.lastIndex(), store.hardState,
        rocks.directIoForTables ? "with direct I/O" : "through the page cache");
    return store;
  }

  /** The configuration this store was opened with. */
  public RocksDbLogStoreConfig config() {
    return config;
  }

  /**
   * Whether RocksDB writes this store's table files (memtable flushes, compactions) with direct
   * I/O: decided at {@link #open}, true where the directory's filesystem accepts it (see the
   * class comment, "Table files").
   */
  public boolean tablesWrittenWithDirectIo() {
    return rocks.directIoForTables;
  }

  // ---------------------------------------------------------------- writes

  @Override
  public HardState loadHardState() {
    return withOpenStore(() -> hardState);
  }

  @Override
  public void saveHardState(HardState state) {
    Objects.requireNonNull(state, "state");
    withOpenStore(() -> {
      synchronized (writer) {
        // Entries a snapshot covers are committed: the commit index never names less (see LogStore).
        HardState kept = state.withCommitIndexAtLeast(bounds.firstIndex() - 1);
        pendingHardState = kept;
        hardState = kept;
        dirty = true;
      }
      return null;
    });
  }

  @Override
  public void append(List<LogEntry> entries) {
    List<LogEntry> batch = List.copyOf(entries);
    withOpenStore(() -> {
      synchronized (writer) {
        Bounds b = bounds;
        Appends.requireContinuation(batch, b.firstIndex(), b.lastIndex(), b.lastTerm());
        if (batch.isEmpty()) {
          return null;
        }
        write(wb -> {
          for (LogEntry e : batch) {
            entryWriter.put(wb, e);
          }
        });
        // Grow the visible bounds only once the entries are readable.
        LogEntry last = batch.get(batch.size() - 1);
        bounds = new Bounds(b.firstIndex(), last.index(), b.prefixTerm(), last.term());
      }
      return null;
    });
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    withOpenStore(() -> {
      synchronized (writer) {
        Bounds b = bounds;
        if (fromIndex < b.firstIndex()) {
          throw new IllegalArgumentException("cannot truncate from " + fromIndex + ": the log starts at "
              + b.firstIndex() + " (compacted entries are committed)");
        }
        if (fromIndex > b.lastIndex()) {
          return null;
        }
        long newLastTerm = stored.term(b, fromIndex - 1);
        // Shrink the visible bounds before the entries disappear (see implementation notes).
        bounds = new Bounds(b.firstIndex(), fromIndex - 1, b.prefixTerm(), newLastTerm);
        // One batch: after a crash either the whole suffix is gone or none of it.
        write(wb -> wb.deleteRange(rocks.entries, Keys.entry(fromIndex), Keys.AFTER_LAST_ENTRY));
      }
      return null;
    });
  }

  @Override
  public void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    withOpenStore(() -> {
      synchronized (writer) {
        Bounds b = bounds;
        if (lastIncludedIndex < b.firstIndex()) {
          return null;
        }
        // Before the bounds, the hard state or the batch change: bad input changes nothing
        // (LogStore), and a log start of Long.MIN_VALUE would reopen as a log [MIN_VALUE, MAX_VALUE].
        Compactions.requireIndexAfter(lastIncludedIndex);
        // Retain the entries after the snapshot only if the log holds its last included entry
        // with the same term; otherwise discard the entire log (§7).
        boolean keepsSuffix = lastIncludedIndex < b.lastIndex() && stored.term(b, lastIncludedIndex) == lastIncludedTerm;
        long first = lastIncludedIndex + 1;
        bounds = keepsSuffix
            ? new Bounds(first, b.lastIndex(), lastIncludedTerm, b.lastTerm())
            : Bounds.empty(first, lastIncludedTerm);
        byte[] end = keepsSuffix ? Keys.entry(first) : Keys.AFTER_LAST_ENTRY;
        if (hardState.commitIndex() < lastIncludedIndex) {
          // The snapshot's entries are committed: the raised commit index rides in front of this
          // batch (see write), so a crash keeps both or neither.
          pendingHardState = hardState.withCommitIndex(lastIncludedIndex);
          hardState = pendingHardState;
        }
        write(wb -> {
          wb.deleteRange(rocks.entries, Keys.entry(0), end);
          wb.put(rocks.meta, Keys.LOG_START, MetaCodec.logStart(new LogStart(first, lastIncludedTerm)));
        });
      }
      return null;
    });
  }

  @Override
  public void sync() {
    withOpenStore(() -> {
      synchronized (writer) {
        if (pendingHardState != null) {
          write(wb -> { });
        }
        if (dirty) {
          syncWal();
          dirty = false;
        }
      }
      return null;
    });
  }

  private interface BatchWriter {
    void fill(WriteBatch batch) throws RocksDBException;
  }

  /** Writes one atomic batch, unsynced, with any pending hard state in front of it. */
  private void write(BatchWriter writes) {
    try (WriteBatch batch = new WriteBatch()) {
      if (pendingHardState != null) {
        batch.put(rocks.meta, Keys.HARD_STATE, MetaCodec.hardState(pendingHardState));
      }
      writes.fill(batch);
      rocks.db.write(rocks.unsynced, batch);
      pendingHardState = null;
      dirty = true;
    } catch (RocksDBException e) {
      throw new StorageException("write to the log store in " + where + " failed: " + e.getMessage(), e);
    }
  }

  private void syncWal() {
    try {
      // One fsync of the WAL covers every batch written since the last one (group commit).
      rocks.db.flushWal(true);
    } catch (RocksDBException e) {
      throw new StorageException("sync of the log store in " + where + " failed: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public long firstIndex() {
    return withOpenStore(() -> bounds.firstIndex());
  }

  @Override
  public long lastIndex() {
    return withOpenStore(() -> bounds.lastIndex());
  }

  @Override
  public long term(long index) {
    return withOpenStore(() -> {
      Bounds b = bounds;
      for (int attempt = 1; ; attempt++) {
        b.checkTermIndex(index);
        Long term = stored.termOrNull(b, index);
        if (term != null) {
          return term;
        }
        b = boundsAfterMissing(b, index, attempt);
      }
    });
  }

  @Override
  public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
    return withOpenStore(() -> {
      Bounds b = bounds;
      for (int attempt = 1; ; attempt++) {
        if (fromIndex < b.firstIndex()) {
          throw new LogCompactedException(fromIndex, b.firstIndex());
        }
        b.checkRange(fromIndex, toIndex);
        List<LogEntry> out = new ArrayList<>();
        long missing = stored.readInto(out, fromIndex, toIndex, maxBytes);
        if (missing < 0) {
          return out;
        }
        b = boundsAfterMissing(b, missing, attempt);
      }
    });
  }

  /**
   * An entry inside the bounds {@code b} was missing. If the writer changed the bounds meanwhile,
   * the read is retried against the new ones; a hole under unchanged bounds is corruption.
   */
  private Bounds boundsAfterMissing(Bounds b, long index, int attempt) {
    Bounds now = bounds;
    if (now == b || attempt >= MAX_READ_ATTEMPTS) {
      throw new CorruptedLogException("log entry " + index + " is missing from " + where + " although the log holds ["
          + now.firstIndex() + ", " + now.lastIndex() + "]");
    }
    return now;
  }

  // ---------------------------------------------------------------- lifecycle

  private interface Operation<T> {
    T run();
  }

  private <T> T withOpenStore(Operation<T> operation) {
    Lock lock = lifecycle.readLock();
    lock.lock();
    try {
      if (rocks.isClosed()) {
        throw new StorageException("the log store in " + where + " is closed");
      }
      return operation.run();
    } finally {
      lock.unlock();
    }
  }

  /** Closes every native resource once; later calls do nothing. Unsynced writes may be lost. */
  @Override
  public void close() {
    Lock lock = lifecycle.writeLock();
    lock.lock();
    try {
      if (!rocks.isClosed()) {
        writePendingHardState();
        rocks.close();
        log.info("closed log store {}", where);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * A hard state saved since the last write (a commit index that advanced without new entries)
   * is written, unsynced, so that an orderly stop keeps it; a failure here loses only that hint.
   */
  private void writePendingHardState() {
    synchronized (writer) {
      if (pendingHardState == null) {
        return;
      }
      try {
        write(wb -> { });
      } catch (StorageException e) {
        log.warn("closing {}: the last hard state ({}) was not written: {}", where, pendingHardState, e.getMessage());
      }
    }
  }

  @Override
  public String toString() {
    return "RocksDbLogStore[" + where + "]";
  }
}
