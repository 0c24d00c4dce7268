package dev.pontoon.raft.log;

import java.util.Objects;

/**
 * A snapshot of the state machine with the log position it stands for.
 *
 * @param meta what part of the log the snapshot replaces
 * @param data the state machine's serialized state
 */
public record Snapshot(SnapshotMeta meta, Bytes data) {
  public Snapshot {
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(data, "data");
  }
}
