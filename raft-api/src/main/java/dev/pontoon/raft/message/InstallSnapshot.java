package dev.pontoon.raft.message;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.Objects;

/**
 * Invoked by the leader to send chunks of a snapshot to a follower that lags behind the
 * leader's compacted log (Raft §7, Figure 13).
 *
 * <p><b>Streaming.</b> Pontoon's runtime sends a snapshot as pieces at increasing
 * {@code offset}s; the last piece ({@code done}) ends with 4 more bytes, the CRC32C (big-endian)
 * of the whole snapshot, which offsets do not count. The follower stores pieces in order and
 * installs nothing until the whole has arrived and matches its checksum. A single message at
 * offset 0 marked done, without a checksum, is what the bare core sends and takes (its tests
 * and simulator hold snapshots in memory).
 *
 * @param from the leader
 * @param to the follower
 * @param term the leader's term
 * @param lastIncludedIndex the snapshot replaces all entries up to and including this index
 * @param lastIncludedTerm term of {@code lastIncludedIndex}
 * @param config the cluster configuration as of {@code lastIncludedIndex}
 * @param offset byte offset where {@code data} is positioned in the snapshot
 * @param data raw bytes of the snapshot chunk
 * @param done true if this is the last chunk
 */
public record InstallSnapshot(NodeId from, NodeId to, long term, long lastIncludedIndex, long lastIncludedTerm,
    ClusterConfig config, long offset, Bytes data, boolean done) implements RaftMessage {
  public InstallSnapshot {
    RaftMessage.checkCommon(from, to, term);
    RaftMessage.requireNonNegative(lastIncludedIndex, "lastIncludedIndex");
    RaftMessage.requireNonNegative(lastIncludedTerm, "lastIncludedTerm");
    RaftMessage.requireNonNegative(offset, "offset");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(data, "data");
  }
}
