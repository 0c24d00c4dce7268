package dev.pontoon.raft.storage.rocksdb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** Direct access to a closed store's database, to damage it the way a disk or a bug would. */
final class RawRocks implements AutoCloseable {
  private final DBOptions options = new DBOptions();
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final RocksDB db;

  RawRocks(Path dir) throws RocksDBException {
    db = RocksDB.open(options, dir.toString(), List.of(
        new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY),
        new ColumnFamilyDescriptor(RocksHandles.ENTRIES),
        new ColumnFamilyDescriptor(RocksHandles.META)), handles);
  }

  ColumnFamilyHandle entries() {
    return handles.get(1);
  }

  ColumnFamilyHandle meta() {
    return handles.get(2);
  }

  byte[] get(ColumnFamilyHandle family, byte[] key) throws RocksDBException {
    return db.get(family, key);
  }

  void put(ColumnFamilyHandle family, byte[] key, byte[] value) throws RocksDBException {
    db.put(family, key, value);
  }

  void delete(ColumnFamilyHandle family, byte[] key) throws RocksDBException {
    db.delete(family, key);
  }

  @Override
  public void close() {
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    options.close();
  }
}
