package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A peer's bad message costs that message only: it is dropped and counted, and the node goes on. */
class RaftServerPeerInputTest {

  private static final int PATIENCE_SECONDS = 20;
  private static final NodeId B1 = NodeId.of("b1");
  private static final NodeId B2 = NodeId.of("b2");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private GatedTransport transport;
  private RaftServer node;

  @AfterEach
  void close() {
    transport.release();
    node.close();
  }

  /**
   * The core refuses a peer's message it cannot handle with IllegalArgumentException. The runtime
   * drops it, counts it in {@code raft.messages.dropped{reason=malformed}}, and goes on; only an
   * IllegalStateException (a broken local invariant) or a storage failure stops a node.
   *
   * <p>The message used is the one the current core refuses that way: a TimeoutNow of term
   * {@code Long.MAX_VALUE}, whose campaign would overflow the term. (The core changes its term
   * before it throws, so a later message of a sane term puts it right; a core that refuses such
   * input before any state change passes this test the same way.)
   */
  @Test
  void malformedPeerMessagesAreDroppedCountedAndTheNodeGoesOn() {
    transport = new GatedTransport(new InMemoryNetwork().transport(B1));
    node = RaftServer.builder().nodeId(B1).cluster(ClusterConfig.ofVoters("b1", "b2")).transport(transport)
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine()).tickSource(new ManualTickSource())
        .meterRegistry(registry).bootstrapLeader(B1).build();
    // Pin the loop in a send so that the three messages below are handled in one batch.
    transport.hold();
    node.submit(Bytes.ofUtf8("k=1"));
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(transport::isBlocked);

    transport.inject(new TimeoutNow(B2, B1, Long.MAX_VALUE));
    transport.inject(new TimeoutNow(B2, B1, Long.MAX_VALUE));
    transport.inject(new RequestVoteResponse(B2, B1, 5, false, false));
    transport.release();

    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS)
        .until(() -> node.status().term() == 5 && node.status().role() == Role.FOLLOWER);
    Counter dropped = registry.find("raft.messages.dropped").tag("node", "b1").tag("reason", "malformed").counter();
    assertNotNull(dropped, "raft.messages.dropped{reason=malformed} is registered");
    assertEquals(2, dropped.count());
    assertInstanceOf(NotLeaderException.class, TestCluster.failure(node.submit(Bytes.ofUtf8("k=2"))),
        "the node still runs, as a follower of term 5");
  }
}
