package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.AppendEntriesResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A read aborted by a step-down fails with {@code NotLeaderException}; a caller reacting to it
 * (here a callback, which runs on the loop thread that completes it) and asking {@code status()}
 * sees the node no longer leading: the status is published before the Ready that aborts the read.
 */
class StatusWhenReadAbortedTest {
  private final ManualTickSource ticks = new ManualTickSource();
  private GatedTransport transport;
  private RaftServer node;

  @AfterEach
  void close() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void statusSeenByTheAbortedReadsCallerIsNoLongerLeader() throws Exception {
    NodeId id = NodeId.of("b1");
    transport = new GatedTransport(new InMemoryNetwork().transport(id));
    node = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters("b1", "b2")).transport(transport)
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine()).tickSource(ticks)
        .bootstrapLeader(id).build();
    CompletableFuture<Bytes> read = node.read(Bytes.ofUtf8("k"));
    AtomicReference<RaftNodeStatus> seen = new AtomicReference<>();
    CompletableFuture<Void> reacted = read.handle((v, e) -> {
      seen.set(node.status());
      return null;
    });

    transport.inject(new AppendEntriesResponse(NodeId.of("b2"), id, 2, false, 0, 0, 0, 0));
    reacted.get(20, TimeUnit.SECONDS);

    assertInstanceOf(NotLeaderException.class, TestCluster.failure(read));
    assertEquals(Role.FOLLOWER, seen.get().role(), "status() seen by the caller whose read failed NotLeader");
  }
}
