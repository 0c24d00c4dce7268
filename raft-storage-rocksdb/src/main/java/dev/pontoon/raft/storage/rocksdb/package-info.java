/**
 * A durable, checksummed {@link dev.pontoon.raft.storage.LogStore} on RocksDB:
 * {@link dev.pontoon.raft.storage.rocksdb.RocksDbLogStore}, opened with a
 * {@link dev.pontoon.raft.storage.rocksdb.RocksDbLogStoreConfig}.
 */
package dev.pontoon.raft.storage.rocksdb;
