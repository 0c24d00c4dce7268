package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.StorageException;
import dev.pontoon.raft.storage.rocksdb.MetaCodec.Identity;
import dev.pontoon.raft.storage.rocksdb.MetaCodec.LogStart;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * What a store does when it opens: checks (or, for a new store, records) whose directory it is,
 * then recovers the hard state and the bounds of the log.
 */
final class Recovery {
  /** The state found on disk. */
  record Recovered(Bounds bounds, HardState hardState) {}

  private final RocksHandles rocks;
  private final String where;

  Recovery(RocksHandles rocks, String where) {
    this.rocks = rocks;
    this.where = where;
  }

  void checkIdentity(RocksDbLogStoreConfig config) {
    Identity expected = new Identity(MetaCodec.FORMAT_VERSION, config.clusterId().value(), config.nodeId());
    byte[] stored = get(rocks.meta, Keys.IDENTITY);
    if (stored == null) {
      if (rocks.existed && !isEmpty()) {
        throw new StorageException("refusing to open " + where + ": it holds log data but no store identity");
      }
      recordIdentity(expected);
      return;
    }
    Identity found = MetaCodec.identity(stored, where);
    if (!found.clusterId().equals(expected.clusterId()) || !found.nodeId().equals(expected.nodeId())) {
      throw new StorageException("refusing to open " + where + ": it belongs to " + found + ", but this store was "
          + "configured for " + expected);
    }
    if (found.formatVersion() != MetaCodec.FORMAT_VERSION) {
      throw new StorageException("refusing to open " + where + ": its format version " + found.formatVersion()
          + " is not the supported version " + MetaCodec.FORMAT_VERSION);
    }
  }

  Recovered load() {
    byte[] hs = get(rocks.meta, Keys.HARD_STATE);
    HardState hardState = hs == null ? HardState.INITIAL : MetaCodec.hardState(hs, where);
    byte[] ls = get(rocks.meta, Keys.LOG_START);
    LogStart start = ls == null ? new LogStart(1, 0) : MetaCodec.logStart(ls, where);
    // A store from before the commit index was kept reads 0: the compacted entries were committed.
    hardState = hardState.withCommitIndexAtLeast(start.firstIndex() - 1);
    try (RocksIterator it = rocks.db.newIterator(rocks.entries)) {
      it.seekToFirst();
      if (!it.isValid()) {
        it.status();
        return new Recovered(Bounds.empty(start.firstIndex(), start.prefixTerm()), hardState);
      }
      long first = Keys.index(it.key());
      if (first != start.firstIndex()) {
        throw new CorruptedLogException("the log in " + where + " should start at " + start.firstIndex()
            + " but its first entry is " + first);
      }
      it.seekToLast();
      long last = Keys.index(it.key());
      long lastTerm = EntryCodec.term(last, it.value(), where);
      return new Recovered(new Bounds(first, last, start.prefixTerm(), lastTerm), hardState);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the log in " + where + ": " + e.getMessage(), e);
    }
  }

  private void recordIdentity(Identity identity) {
    try (WriteBatch batch = new WriteBatch(); WriteOptions synced = new WriteOptions().setSync(true)) {
      batch.put(rocks.meta, Keys.IDENTITY, MetaCodec.identity(identity));
      rocks.db.write(synced, batch);
    } catch (RocksDBException e) {
      throw new StorageException("cannot record the identity of " + where + ": " + e.getMessage(), e);
    }
  }

  private boolean isEmpty() {
    try (RocksIterator entries = rocks.db.newIterator(rocks.entries);
        RocksIterator meta = rocks.db.newIterator(rocks.meta)) {
      entries.seekToFirst();
      meta.seekToFirst();
      return !entries.isValid() && !meta.isValid();
    }
  }

  private byte[] get(ColumnFamilyHandle family, byte[] key) {
    try {
      return rocks.db.get(family, key);
    } catch (RocksDBException e) {
      throw new StorageException("cannot read the metadata of " + where + ": " + e.getMessage(), e);
    }
  }
}
