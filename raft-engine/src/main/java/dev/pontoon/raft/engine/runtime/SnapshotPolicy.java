package dev.pontoon.raft.engine.runtime;

/**
 * How a node moves snapshots and how much log it keeps behind them.
 *
 * @param chunkBytes most snapshot bytes in one InstallSnapshot piece (lowered to fit the
 *     transport's {@code maxMessageBytes})
 * @param maxChunksInFlight most pieces sent to one follower and not yet acknowledged
 * @param maxBytesPerSecond most snapshot bytes sent per second to each follower; 0 for no limit
 * @param logRetainEntries entries kept in the log behind each snapshot (the catch-up margin,
 *     etcd's {@code SnapshotCatchUpEntries}): a follower less than this far behind gets entries,
 *     not the snapshot
 */
public record SnapshotPolicy(int chunkBytes, int maxChunksInFlight, long maxBytesPerSecond, long logRetainEntries) {

  /** 1 MiB pieces, 4 in flight, no rate limit, no log kept behind the snapshot. */
  public static final SnapshotPolicy DEFAULTS = new SnapshotPolicy(1 << 20, 4, 0, 0);

  public SnapshotPolicy {
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("chunkBytes (" + chunkBytes + ") must be positive");
    }
    if (maxChunksInFlight < 1) {
      throw new IllegalArgumentException("maxChunksInFlight (" + maxChunksInFlight + ") must be positive");
    }
    if (maxBytesPerSecond < 0) {
      throw new IllegalArgumentException("maxBytesPerSecond (" + maxBytesPerSecond + ") must be >= 0");
    }
    if (logRetainEntries < 0) {
      throw new IllegalArgumentException("logRetainEntries (" + logRetainEntries + ") must be >= 0");
    }
  }
}
