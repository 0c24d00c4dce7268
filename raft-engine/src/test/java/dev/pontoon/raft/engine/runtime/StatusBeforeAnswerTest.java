package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node's status is published before anything of a Ready leaves it: whoever sees a message the
 * node sent (here the follower's answer to an append, which names the leader) and then asks the
 * node's {@code status()} sees a state at least as new as the one the message speaks for.
 */
class StatusBeforeAnswerTest {
  private final ManualTickSource ticks = new ManualTickSource();
  private RaftServer node;

  @AfterEach
  void close() {
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aFollowersAnswerLeavesOnlyOnceItsStatusNamesTheLeaderAndTheEntry() throws Exception {
    NodeId leader = NodeId.of("f1");
    NodeId follower = NodeId.of("f2");
    CompletableFuture<RaftNodeStatus> statusAtAnswer = new CompletableFuture<>();
    WatchingTransport transport = new WatchingTransport(new InMemoryNetwork().transport(follower), statusAtAnswer);
    node = RaftServer.builder().nodeId(follower).cluster(ClusterConfig.ofVoters("f1", "f2")).transport(transport)
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine()).tickSource(ticks).build();
    transport.node = node;

    transport.inject(new AppendEntries(leader, follower, 1, 0, 0, List.of(LogEntry.command(1, 1, Bytes.ofUtf8("x"))),
        0, 1));
    RaftNodeStatus seen = statusAtAnswer.get(20, TimeUnit.SECONDS);

    assertAll(
        () -> assertEquals(leader, seen.leader(), "the leader the answer acknowledges"),
        () -> assertEquals(1, seen.lastLogIndex(), "the entry the answer acknowledges"));
  }

  /** Records the node's status at the moment its first append answer is sent. */
  private static final class WatchingTransport extends ForwardingTransport {
    private final CompletableFuture<RaftNodeStatus> statusAtAnswer;
    private volatile InboundHandler inbound;
    volatile RaftServer node;

    WatchingTransport(Transport delegate, CompletableFuture<RaftNodeStatus> statusAtAnswer) {
      super(delegate);
      this.statusAtAnswer = statusAtAnswer;
    }

    void inject(RaftMessage message) {
      inbound.onMessage(message);
    }

    @Override
    public void start(InboundHandler handler) {
      inbound = handler;
      delegate.start(handler);
    }

    @Override
    public void send(RaftMessage message) {
      if (message instanceof AppendEntriesResponse) {
        statusAtAnswer.complete(node.status());
      }
      delegate.send(message);
    }
  }
}
