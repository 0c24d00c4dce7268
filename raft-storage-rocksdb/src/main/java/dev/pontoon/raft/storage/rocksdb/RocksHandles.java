package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;
import org.rocksdb.WALRecoveryMode;
import org.rocksdb.WriteOptions;

/**
 * Every native object of one open store, created together and closed together, exactly once,
 * in reverse order of creation (column family handles before the database, the database before
 * its options).
 */
final class RocksHandles implements AutoCloseable {
  static final byte[] ENTRIES = "entries".getBytes(StandardCharsets.US_ASCII);
  static final byte[] META = "meta".getBytes(StandardCharsets.US_ASCII);

  /**
   * Memtable of the {@code meta} column family. Its few keys are overwritten with nearly every
   * batch (the hard state carries the commit index), and each overwrite takes a new memtable
   * entry of about 100 bytes. A 64 KiB memtable filled every thousand batches or so; each flush
   * rolled the WAL and wrote a table file (about five fsyncs, and a compaction every few
   * flushes). At 4 MiB it flushes every few tens of thousands of batches, or when the WAL limit
   * forces it; the memory is taken in arena blocks as it fills.
   */
  static final long META_WRITE_BUFFER_BYTES = 4L << 20;

  static {
    RocksDB.loadLibrary();
  }

  final RocksDB db;
  final ColumnFamilyHandle entries;
  final ColumnFamilyHandle meta;
  /** Unsynced writes: durability comes from {@code flushWal(true)} in {@code sync()}. */
  final WriteOptions unsynced;
  /** Whether the directory held a database before this open. */
  final boolean existed;
  /** Whether table files are written with direct I/O (see {@link #dbOptions}). */
  final boolean directIoForTables;

  private final List<AutoCloseable> owned;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RocksHandles(RocksDB db, List<ColumnFamilyHandle> handles, WriteOptions unsynced, boolean existed,
      boolean directIoForTables, List<AutoCloseable> owned) {
    this.db = db;
    this.entries = handles.get(1);
    this.meta = handles.get(2);
    this.unsynced = unsynced;
    this.existed = existed;
    this.directIoForTables = directIoForTables;
    this.owned = owned;
  }

  /**
   * A directory of a {@code SegmentLogStore} holds no RocksDB database: opening one there would
   * start an empty log beside the node's real one, with a forgotten term and vote.
   */
  private static void requireNoSegmentStore(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      Optional<Path> segment = files.filter(f -> f.getFileName().toString().matches("segment-\\d+\\.log")).findFirst();
      if (segment.isPresent()) {
        throw new StorageException("the directory " + directory + " holds a SegmentLogStore's log ("
            + segment.get().getFileName() + "), not a RocksDB log store: open it with SegmentLogStore");
      }
    }
  }

  static RocksHandles open(RocksDbLogStoreConfig config, Predicate<Path> directIoSupported) {
    List<AutoCloseable> owned = new ArrayList<>();
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    String path = config.directory().toString();
    try {
      Files.createDirectories(config.directory());
      boolean existed = Files.exists(config.directory().resolve("CURRENT"));
      if (existed) {
        requireOurColumnFamilies(path);
      } else {
        requireNoSegmentStore(config.directory());
      }
      LRUCache cache = own(owned, new LRUCache(Math.max(config.blockCacheBytes(), 1)));
      boolean directIo = directIoSupported.test(config.directory());
      DBOptions dbOptions = own(owned, dbOptions(config, directIo));
      ColumnFamilyOptions entryOptions = own(owned, entryOptions(config, cache));
      ColumnFamilyOptions metaOptions = own(owned, new ColumnFamilyOptions()
          .setWriteBufferSize(META_WRITE_BUFFER_BYTES)
          .setCompressionType(CompressionType.NO_COMPRESSION)
          .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache)));
      WriteOptions unsynced = own(owned, new WriteOptions().setSync(false));
      List<ColumnFamilyDescriptor> descriptors = List.of(
          new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, metaOptions),
          new ColumnFamilyDescriptor(ENTRIES, entryOptions),
          new ColumnFamilyDescriptor(META, metaOptions));
      RocksDB db = RocksDB.open(dbOptions, path, descriptors, handles);
      // Handles close before the database, the database before the options it was opened with.
      owned.add(db);
      owned.addAll(handles);
      return new RocksHandles(db, handles, unsynced, existed, directIo, owned);
    } catch (RocksDBException | IOException | RuntimeException e) {
      owned.addAll(handles);
      closeAll(owned);
      if (e instanceof StorageException se) {
        throw se;
      }
      if (e instanceof RocksDBException re && isCorruption(re)) {
        throw corrupted(path, re);
      }
      throw new StorageException("cannot open the RocksDB log store in " + path + ": " + e.getMessage(), e);
    }
  }

  private static boolean isCorruption(RocksDBException e) {
    return e.getStatus() != null && e.getStatus().getCode() == Status.Code.Corruption;
  }

  private static CorruptedLogException corrupted(String path, RocksDBException e) {
    CorruptedLogException corrupted = new CorruptedLogException("refusing to open the log store in " + path
        + ": RocksDB reports corruption (" + e.getMessage() + "). A damaged write-ahead log record is not skipped, "
        + "because the writes synced after it (log entries, votes) would be lost; only a record cut short at the end "
        + "of the log, as a crash during a write leaves it, is dropped. Restore the directory from a backup or "
        + "replace the node with a new member; restarting it on an emptied directory could make it vote twice in "
        + "a term");
    corrupted.initCause(e);
    return corrupted;
  }

  /**
   * With {@code directIoForTables}, memtable flushes and compactions write their table files with
   * direct I/O. Through the page cache, a flush's megabytes of dirty table data were written back
   * while the members' WAL fdatasyncs waited behind them: each flush (every half second per member
   * at 30 MB/s of log) stalled every write in flight for 3.5–7.4 ms ({@code perf trace}), which was
   * the p99 at 128 outstanding writes. Table files are still fsynced before RocksDB uses them, so
   * durability does not change; reads stay buffered (and cached in the block cache).
   */
  private static DBOptions dbOptions(RocksDbLogStoreConfig config, boolean directIoForTables) {
    return new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        // Recovery of the WAL on open, per RocksDB's WALRecoveryMode documentation:
        // TolerateCorruptedTailRecords tolerates only an incomplete last record in a WAL file (a
        // crash in the middle of a write) and refuses to open on any corruption it detects, even
        // in the last record. PointInTimeRecovery (RocksDB's default) stops the replay at the first
        // corruption and opens without an error, silently dropping every synced write after it
        // (votes, acknowledged entries); AbsoluteConsistency also refuses the incomplete record a
        // crash leaves; SkipAnyCorruptedRecords replays around damage, leaving holes. A crash
        // still recovers a prefix of the WAL, so LogStore's call order holds. What no mode can
        // tell apart is in RocksDbLogStore's implementation notes.
        .setWalRecoveryMode(WALRecoveryMode.TolerateCorruptedTailRecords)
        .setMaxTotalWalSize(config.maxTotalWalBytes())
        .setInfoLogLevel(InfoLogLevel.WARN_LEVEL)
        .setKeepLogFileNum(2)
        .setMaxBackgroundJobs(2)
        .setUseDirectIoForFlushAndCompaction(directIoForTables);
  }

  private static ColumnFamilyOptions entryOptions(RocksDbLogStoreConfig config, LRUCache cache) {
    return new ColumnFamilyOptions()
        .setWriteBufferSize(config.writeBufferBytes())
        .setMaxWriteBufferNumber(2)
        .setCompressionType(config.compression() ? CompressionType.LZ4_COMPRESSION : CompressionType.NO_COMPRESSION)
        .setLevelCompactionDynamicLevelBytes(true)
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache).setBlockSize(16 << 10));
  }

  private static void requireOurColumnFamilies(String path) throws RocksDBException {
    try (Options options = new Options()) {
      List<byte[]> families = RocksDB.listColumnFamilies(options, path);
      boolean ours = families.stream().anyMatch(f -> Arrays.equals(f, ENTRIES))
          && families.stream().anyMatch(f -> Arrays.equals(f, META));
      if (!ours) {
        throw new StorageException("refusing to open " + path + ": it holds a RocksDB database that is not a "
            + "Pontoon log store (no 'entries' and 'meta' column families)");
      }
    }
  }

  private static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T resource) {
    owned.add(resource);
    return resource;
  }

  /** Whether {@link #close()} has run. */
  boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      closeAll(owned);
    }
  }

  private static void closeAll(List<AutoCloseable> resources) {
    StorageException failure = null;
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        AutoCloseable resource = resources.get(i);
        if (resource instanceof RocksDB db) {
          db.closeE();
        } else {
          resource.close();
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = new StorageException("closing the RocksDB log store failed: " + e.getMessage(), e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
