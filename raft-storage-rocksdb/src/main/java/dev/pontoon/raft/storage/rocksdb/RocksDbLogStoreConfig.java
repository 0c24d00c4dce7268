package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how a {@link RocksDbLogStore} keeps its log. Immutable; build one with
 * {@link #of(Path, ClusterId, NodeId)} and adjust it with the {@code withX} copies.
 *
 * <p>The defaults suit a Raft log: sequential keys, values written once and read soon after, so
 * no compression (entries are small and the CPU is better spent elsewhere) and small, bounded
 * memory.
 *
 * @param directory the directory holding the RocksDB files; created if missing; must not be
 *     shared with anything else
 * @param clusterId the cluster the store belongs to; recorded at creation and checked on every
 *     open, so that a directory of another cluster is refused
 * @param nodeId the node the store belongs to; recorded and checked like {@code clusterId}
 * @param writeBufferBytes size of one memtable of the entries column family (at least 64 KiB); the
 *     {@code meta} column family (term, vote, commit index, rewritten with nearly every batch) has
 *     its own, up to 4 MiB, so that those rewrites flush it only every few tens of thousands of
 *     batches
 * @param blockCacheBytes size of the block cache shared by the column families (at least 0)
 * @param maxTotalWalBytes WAL size after which RocksDB flushes memtables so that old WAL files
 *     can be deleted (at least 1 MiB)
 * @param compression whether SST files of the entries column family are LZ4-compressed; worth it
 *     only for large, compressible payloads
 */
public record RocksDbLogStoreConfig(
    Path directory,
    ClusterId clusterId,
    NodeId nodeId,
    long writeBufferBytes,
    long blockCacheBytes,
    long maxTotalWalBytes,
    boolean compression) {

  /** Default memtable size: 16 MiB. */
  public static final long DEFAULT_WRITE_BUFFER_BYTES = 16L << 20;
  /** Default block cache: 8 MiB, enough for the recent tail a leader re-reads for followers. */
  public static final long DEFAULT_BLOCK_CACHE_BYTES = 8L << 20;
  /** Default WAL bound: 64 MiB. */
  public static final long DEFAULT_MAX_TOTAL_WAL_BYTES = 64L << 20;

  public RocksDbLogStoreConfig {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(nodeId, "nodeId");
    requireArgument(writeBufferBytes >= 64 << 10, "writeBufferBytes (" + writeBufferBytes + ") must be at least 65536");
    requireArgument(blockCacheBytes >= 0, "blockCacheBytes (" + blockCacheBytes + ") must be >= 0");
    requireArgument(maxTotalWalBytes >= 1 << 20, "maxTotalWalBytes (" + maxTotalWalBytes + ") must be at least 1048576");
  }

  /** A configuration with the defaults for everything but the location and identity. */
  public static RocksDbLogStoreConfig of(Path directory, ClusterId clusterId, NodeId nodeId) {
    return new RocksDbLogStoreConfig(directory, clusterId, nodeId, DEFAULT_WRITE_BUFFER_BYTES,
        DEFAULT_BLOCK_CACHE_BYTES, DEFAULT_MAX_TOTAL_WAL_BYTES, false);
  }

  /** A copy with another memtable size. */
  public RocksDbLogStoreConfig withWriteBufferBytes(long bytes) {
    return new RocksDbLogStoreConfig(directory, clusterId, nodeId, bytes, blockCacheBytes, maxTotalWalBytes, compression);
  }

  /** A copy with another block cache size. */
  public RocksDbLogStoreConfig withBlockCacheBytes(long bytes) {
    return new RocksDbLogStoreConfig(directory, clusterId, nodeId, writeBufferBytes, bytes, maxTotalWalBytes, compression);
  }

  /** A copy with another WAL bound. */
  public RocksDbLogStoreConfig withMaxTotalWalBytes(long bytes) {
    return new RocksDbLogStoreConfig(directory, clusterId, nodeId, writeBufferBytes, blockCacheBytes, bytes, compression);
  }

  /** A copy with compression switched on or off. */
  public RocksDbLogStoreConfig withCompression(boolean enabled) {
    return new RocksDbLogStoreConfig(directory, clusterId, nodeId, writeBufferBytes, blockCacheBytes, maxTotalWalBytes, enabled);
  }

  private static void requireArgument(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
