package dev.pontoon.raft.log;

import java.util.Objects;

/**
 * What a snapshot replaces: the log up to and including {@code lastIncludedIndex} (Raft §7).
 *
 * @param lastIncludedIndex index of the last entry the snapshot covers, from 0
 * @param lastIncludedTerm term of that entry, 0 only when the index is 0
 * @param config the cluster configuration as of that entry
 */
public record SnapshotMeta(long lastIncludedIndex, long lastIncludedTerm, ClusterConfig config) {
  public SnapshotMeta {
    if (lastIncludedIndex < 0) {
      throw new IllegalArgumentException("lastIncludedIndex (" + lastIncludedIndex + ") must be >= 0");
    }
    if (lastIncludedTerm < 0) {
      throw new IllegalArgumentException("lastIncludedTerm (" + lastIncludedTerm + ") must be >= 0");
    }
    Objects.requireNonNull(config, "config");
  }
}
