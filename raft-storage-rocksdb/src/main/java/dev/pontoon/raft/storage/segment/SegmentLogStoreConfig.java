package dev.pontoon.raft.storage.segment;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how a {@link SegmentLogStore} keeps its log. Immutable; build one with
 * {@link #of(Path, ClusterId, NodeId)}.
 *
 * @param directory the directory holding the segment files; created if missing; must not be
 *     shared with anything else
 * @param clusterId the cluster the store belongs to; recorded in every segment and checked on
 *     every open, so that a directory of another cluster is refused
 * @param nodeId the node the store belongs to; recorded and checked like {@code clusterId}
 * @param segmentBytes the size of a segment file (at least 64 KiB, at most 1 GiB). The disk
 *     holds the live log rounded up to whole segments, plus up to two spares. An entry too large
 *     for one segment gets a segment of its own, as large as it needs
 */
public record SegmentLogStoreConfig(Path directory, ClusterId clusterId, NodeId nodeId, long segmentBytes) {
  /** Default segment size: 64 MiB. */
  public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
  static final long MIN_SEGMENT_BYTES = 64L << 10;
  static final long MAX_SEGMENT_BYTES = 1L << 30;

  public SegmentLogStoreConfig {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(nodeId, "nodeId");
    if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("segmentBytes (" + segmentBytes + ") must be between " + MIN_SEGMENT_BYTES
          + " and " + MAX_SEGMENT_BYTES);
    }
  }

  /** A configuration with the default segment size. */
  public static SegmentLogStoreConfig of(Path directory, ClusterId clusterId, NodeId nodeId) {
    return new SegmentLogStoreConfig(directory, clusterId, nodeId, DEFAULT_SEGMENT_BYTES);
  }

  /** A copy with another segment size. */
  public SegmentLogStoreConfig withSegmentBytes(long bytes) {
    return new SegmentLogStoreConfig(directory, clusterId, nodeId, bytes);
  }
}
