package dev.pontoon.raft.transport;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Messages of every {@link RaftMessage} type between two nodes, including edge values (no
 * entries, empty payloads, every flag combination, {@code Long.MAX_VALUE} terms and indexes),
 * for transport and codec tests.
 */
public final class SampleMessages {
  private SampleMessages() {}

  /** At least one message of every permitted {@link RaftMessage} type, from {@code from} to {@code to}. */
  public static List<RaftMessage> all(NodeId from, NodeId to) {
    long max = Long.MAX_VALUE;
    List<RaftMessage> messages = new ArrayList<>();
    for (boolean a : new boolean[] {false, true}) {
      for (boolean b : new boolean[] {false, true}) {
        messages.add(new RequestVote(from, to, 7, 42, 6, a, b));
        messages.add(new RequestVoteResponse(from, to, 7, a, b));
      }
    }
    messages.add(new RequestVote(from, to, max, max, max, true, true));
    messages.add(new AppendEntries(from, to, 3, 10, 2, List.of(), 9, 0));
    messages.add(new AppendEntries(from, to, 3, 10, 2, List.of(
        LogEntry.command(11, 3, Bytes.ofUtf8("set x=1")),
        LogEntry.noOp(12, 3),
        new LogEntry(13, 3, EntryKind.CONFIGURATION, ClusterConfig.ofVoters("n1", "n2", "n3").toBytes()),
        LogEntry.command(14, 3, Bytes.EMPTY)), 12, 77));
    messages.add(new AppendEntries(from, to, max, max - 1, max, List.of(LogEntry.command(max, max, Bytes.of(new byte[] {0, -1}))), max, max));
    messages.add(new AppendEntriesResponse(from, to, 3, true, 14, 0, 0, 77));
    messages.add(new AppendEntriesResponse(from, to, 3, false, 0, 2, 5, 78));
    messages.add(new AppendEntriesResponse(from, to, max, true, max, max, max, max));
    ClusterConfig config = new ClusterConfig(new TreeSet<>(List.of(from, to)), Set.of(NodeId.of("learner-1")));
    messages.add(new InstallSnapshot(from, to, 4, 100, 3, config, 0, Bytes.ofUtf8("chunk-1"), false));
    messages.add(new InstallSnapshot(from, to, max, max, max, config, max, Bytes.EMPTY, true));
    messages.add(new InstallSnapshotResponse(from, to, 4, 100, 7, true));
    messages.add(new InstallSnapshotResponse(from, to, max, max, max, false));
    messages.add(new TimeoutNow(from, to, 5));
    messages.add(new TimeoutNow(from, to, max));
    return messages;
  }

  /** A node id of exactly {@link NodeId#MAX_UTF8_LENGTH} UTF-8 bytes, with multi-byte characters. */
  public static NodeId longestNodeId() {
    String twoByteChar = "é";
    String id = twoByteChar.repeat(NodeId.MAX_UTF8_LENGTH / 2) + "z";
    if (id.getBytes(StandardCharsets.UTF_8).length != NodeId.MAX_UTF8_LENGTH) {
      throw new AssertionError("expected an id of " + NodeId.MAX_UTF8_LENGTH + " bytes");
    }
    return NodeId.of(id);
  }

  /** A heartbeat-sized message whose {@code sequence} tells it apart from others. */
  public static AppendEntries numbered(NodeId from, NodeId to, long sequence) {
    return new AppendEntries(from, to, 1, 0, 0, List.of(), 0, sequence);
  }
}
