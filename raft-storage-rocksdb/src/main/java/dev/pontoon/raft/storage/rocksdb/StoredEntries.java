package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.CorruptedLogException;
import dev.pontoon.raft.storage.StorageException;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** Reads of the entries column family, each value verified by {@link EntryCodec}. */
final class StoredEntries {
  private final RocksHandles rocks;
  private final String where;

  StoredEntries(RocksHandles rocks, String where) {
    this.rocks = rocks;
    this.where = where;
  }

  /** Reads entries into {@code out}; returns -1, or the index found missing. */
  long readInto(List<LogEntry> out, long fromIndex, long toIndex, long maxBytes) {
    if (fromIndex == toIndex) {
      return -1;
    }
    long bytes = 0;
    long expected = fromIndex;
    try (RocksIterator it = rocks.db.newIterator(rocks.entries)) {
      for (it.seek(Keys.entry(fromIndex)); it.isValid() && expected < toIndex; it.next(), expected++) {
        if (Keys.index(it.key()) != expected) {
          return expected;
        }
        LogEntry e = EntryCodec.decode(expected, it.value(), where);
        bytes += e.sizeInBytes();
        if (!out.isEmpty() && bytes > maxBytes) {
          return -1;
        }
        out.add(e);
      }
      checkIterator(it);
    }
    return expected < toIndex ? expected : -1;
  }

  long term(Bounds b, long index) {
    Long term = termOrNull(b, index);
    if (term == null) {
      throw new CorruptedLogException("log entry " + index + " is missing from " + where + " although the log holds ["
          + b.firstIndex() + ", " + b.lastIndex() + "]");
    }
    return term;
  }

  /** The term at {@code index} within {@code b}, or null when the entry is not in the database. */
  Long termOrNull(Bounds b, long index) {
    if (index == b.firstIndex() - 1) {
      return b.prefixTerm();
    }
    if (index == b.lastIndex()) {
      return b.lastTerm();
    }
    byte[] value = get(rocks.entries, Keys.entry(index));
    return value == null ? null : EntryCodec.term(index, value, where);
  }

  private byte[] get(ColumnFamilyHandle family, byte[] key) {
    try {
      return rocks.db.get(family, key);
    } catch (RocksDBException e) {
      throw new StorageException("read from the log store in " + where + " failed: " + e.getMessage(), e);
    }
  }

  private void checkIterator(RocksIterator it) {
    try {
      it.status();
    } catch (RocksDBException e) {
      throw new StorageException("read from the log store in " + where + " failed: " + e.getMessage(), e);
    }
  }
}
