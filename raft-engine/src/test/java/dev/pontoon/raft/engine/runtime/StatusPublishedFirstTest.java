package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node's status is published before anything of a Ready leaves it or is answered: whoever sees
 * a message the node sent, or a future it completed, and then asks {@code status()} sees a state
 * at least as new as the one that message or answer speaks for.
 */
class StatusPublishedFirstTest {
  private final ManualTickSource ticks = new ManualTickSource();
  private RaftServer node;

  @AfterEach
  void close() {
    if (node != null) {
      node.close();
    }
  }

  /** A two-member node {@code self} on {@code transport}, with a manual tick source. */
  private RaftServerBuilder twoMembers(NodeId self, GatedTransport transport) {
    return RaftServer.builder().nodeId(self).cluster(ClusterConfig.ofVoters("f1", "f2")).transport(transport)
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine()).tickSource(ticks);
  }

  @Test
  void aFollowersAnswerLeavesOnlyOnceItsStatusNamesTheLeaderAndTheEntry() throws Exception {
    NodeId leader = NodeId.of("f1");
    NodeId follower = NodeId.of("f2");
    GatedTransport transport = new GatedTransport(new InMemoryNetwork().transport(follower));
    node = twoMembers(follower, transport).build();
    CompletableFuture<RaftNodeStatus> statusAtAnswer = new CompletableFuture<>();
    transport.beforeSend(m -> {
      if (m instanceof AppendEntriesResponse) {
        statusAtAnswer.complete(node.status());
      }
    });

    transport.inject(new AppendEntries(leader, follower, 1, 0, 0, List.of(LogEntry.command(1, 1, Bytes.ofUtf8("x"))),
        0, 1));
    RaftNodeStatus seen = statusAtAnswer.get(20, TimeUnit.SECONDS);

    assertAll(
        () -> assertEquals(leader, seen.leader(), "the leader the answer acknowledges"),
        () -> assertEquals(1, seen.lastLogIndex(), "the entry the answer acknowledges"));
  }

  @Test
  void statusSeenByTheAbortedReadsCallerIsNoLongerLeader() throws Exception {
    NodeId id = NodeId.of("f1");
    GatedTransport transport = new GatedTransport(new InMemoryNetwork().transport(id));
    node = twoMembers(id, transport).bootstrapLeader(id).build();
    CompletableFuture<Bytes> read = node.read(Bytes.ofUtf8("k"));
    AtomicReference<RaftNodeStatus> seen = new AtomicReference<>();
    // The callback runs on the loop thread that fails the read.
    CompletableFuture<Void> reacted = read.handle((v, e) -> {
      seen.set(node.status());
      return null;
    });

    transport.inject(new AppendEntriesResponse(NodeId.of("f2"), id, 2, false, 0, 0, 0, 0));
    reacted.get(20, TimeUnit.SECONDS);

    assertInstanceOf(NotLeaderException.class, TestCluster.failure(read));
    assertEquals(Role.FOLLOWER, seen.get().role(), "status() seen by the caller whose read failed NotLeader");
  }
}
