package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.OverloadedException;
import dev.pontoon.raft.ReadTimeoutException;
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
import dev.pontoon.raft.message.RequestVoteResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Reads and inbound messages are bounded: beyond its bounds a node refuses or drops at once
 * (back-pressure) instead of growing, and a read that cannot be answered in time fails.
 */
class RaftServerReadBoundsTest {

  private static final int PATIENCE_SECONDS = 20;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ManualTickSource ticks = new ManualTickSource();
  private final List<RaftServer> servers = new ArrayList<>();
  private GatedTransport transport;

  @AfterEach
  void closeAll() {
    if (transport != null) {
      transport.release();
    }
    servers.forEach(RaftServer::close);
  }

  /**
   * A leader of a two-voter cluster whose other voter never starts: it leads at once (bootstrap),
   * can confirm no read (ReadIndex needs the absent voter) and ticks only on the test's word.
   */
  private RaftServer lonelyLeader(UnaryOperator<RaftServerBuilder> options) {
    NodeId id = NodeId.of("b1");
    transport = new GatedTransport(new InMemoryNetwork().transport(id));
    RaftServer node = options.apply(RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters("b1", "b2"))
        .transport(transport).logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine())
        .tickSource(ticks).meterRegistry(registry).bootstrapLeader(id)).build();
    servers.add(node);
    return node;
  }

  @Test
  void readsBeyondTheDefaultPendingBoundFailFastWithOverloaded() {
    RaftServer leader = lonelyLeader(b -> b);
    List<CompletableFuture<Bytes>> waiting = new ArrayList<>();
    for (int i = 0; i < 16_384; i++) {
      waiting.add(leader.read(Bytes.ofUtf8("k")));
    }

    CompletableFuture<Bytes> refused = leader.read(Bytes.ofUtf8("k"));

    assertTrue(refused.isDone(), "refused at once, without waiting");
    OverloadedException e = assertInstanceOf(OverloadedException.class, TestCluster.failure(refused));
    assertTrue(e.getMessage().contains("too many pending reads (limit 16384)"), e.getMessage());
    assertFalse(waiting.get(0).isDone(), "the reads within the bound still wait for their confirmation");
  }

  @Test
  void readNotAnsweredWithinTheDefaultTimeoutFailsWithReadTimeout() {
    AdjustableClockScheduler clock = new AdjustableClockScheduler();
    RaftServer leader = lonelyLeader(b -> b.scheduler(clock));
    CompletableFuture<Bytes> read = leader.read(Bytes.ofUtf8("k"));
    clock.advance(Duration.ofSeconds(9));
    ticks.tick(1);
    assertFalse(read.isDone(), "still within the 10 s timeout");

    clock.advance(Duration.ofSeconds(1));
    ticks.tick(1);

    ReadTimeoutException e = assertInstanceOf(ReadTimeoutException.class, TestCluster.failure(read));
    assertFalse(e.mayStillCommit(), "a read changes nothing: retry it");
  }

  /**
   * A read that timed out keeps its room while it is still held inside the node (here: its
   * ReadIndex round can never complete), so stuck reads are refused, not piled up; its room is
   * freed once it leaves, here when the leader steps down (§5.1) and aborts the round.
   */
  @Test
  void timedOutReadKeepsItsRoomUntilItLeavesTheNode() {
    AdjustableClockScheduler clock = new AdjustableClockScheduler();
    RaftServer leader = lonelyLeader(b -> b.scheduler(clock).maxPendingReads(2).readTimeout(Duration.ofSeconds(1)));
    CompletableFuture<Bytes> first = leader.read(Bytes.ofUtf8("k"));
    CompletableFuture<Bytes> second = leader.read(Bytes.ofUtf8("k"));
    clock.advance(Duration.ofSeconds(1));
    ticks.tick(1);
    assertInstanceOf(ReadTimeoutException.class, TestCluster.failure(first));
    assertInstanceOf(ReadTimeoutException.class, TestCluster.failure(second));

    OverloadedException e = assertInstanceOf(OverloadedException.class,
        TestCluster.failure(leader.read(Bytes.ofUtf8("k"))));
    assertTrue(e.getMessage().contains("too many pending reads (limit 2)"), e.getMessage());

    transport.inject(new AppendEntriesResponse(NodeId.of("b2"), NodeId.of("b1"), 2, false, 0, 0, 0, 0));
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> leader.status().role() == Role.FOLLOWER);
    assertInstanceOf(NotLeaderException.class, TestCluster.failure(leader.read(Bytes.ofUtf8("k"))),
        "the aborted reads left and freed their room");
  }

  @Test
  void inboundMessagesBeyondTheByteBoundAreDroppedButALoneMessageAlwaysPasses() {
    RaftServer leader = lonelyLeader(b -> b.maxInboundBytes(1_000));
    transport.hold();
    leader.submit(Bytes.ofUtf8("k=1"));
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(transport::isBlocked);

    transport.inject(append(5_000));
    transport.inject(append(10));
    transport.inject(append(10));

    Counter dropped = registry.find("raft.messages.dropped").tag("node", "b1").tag("reason", "overload").counter();
    assertNotNull(dropped);
    assertEquals(2, dropped.count(), "the first message, alone in the queue, passed though larger than the bound");
    transport.release();
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS)
        .until(() -> registry.find("raft.messages.received").tag("node", "b1").counter().count() == 1);
  }

  /** An AppendEntries of an old term from the absent voter, carrying {@code payloadBytes}. */
  private static AppendEntries append(int payloadBytes) {
    LogEntry entry = LogEntry.command(1, 1, Bytes.wrap(new byte[payloadBytes]));
    return new AppendEntries(NodeId.of("b2"), NodeId.of("b1"), 0, 0, 0, List.of(entry), 0, 0);
  }

  @Test
  void inboundMessagesBeyondTheDefaultQueueBoundAreDroppedAndCounted() {
    RaftServer leader = lonelyLeader(b -> b);
    NodeId b1 = NodeId.of("b1");
    NodeId b2 = NodeId.of("b2");
    // Pin the loop inside the send of an AppendEntries, so that inbound messages queue up.
    transport.hold();
    leader.submit(Bytes.ofUtf8("k=1"));
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(transport::isBlocked);

    for (int i = 0; i < 8_192 + 10; i++) {
      transport.inject(new RequestVoteResponse(b2, b1, 0, false, false));
    }

    Counter dropped = registry.find("raft.messages.dropped").tag("node", "b1").tag("reason", "overload").counter();
    assertNotNull(dropped, "raft.messages.dropped{reason=overload} is registered");
    assertEquals(10, dropped.count(), "the messages beyond 8192 were dropped");
    transport.release();
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS)
        .until(() -> registry.find("raft.messages.received").tag("node", "b1").counter().count() >= 8_192);
  }

  /**
   * A read never enters the log, so one failed by the node's stop (in flight, or asked of a
   * stopped node) says it can never take effect: {@code mayStillCommit()} is false, and a retry on
   * another node is always safe (RaftException's contract).
   */
  @Test
  void readFailedByTheStopSaysItCanNeverCommit() {
    RaftServer leader = lonelyLeader(b -> b);
    CompletableFuture<Bytes> inFlight = leader.read(Bytes.ofUtf8("k")); // its ReadIndex round never completes

    leader.close();
    CompletableFuture<Bytes> afterStop = leader.read(Bytes.ofUtf8("k"));

    NodeStoppedException e = assertInstanceOf(NodeStoppedException.class, TestCluster.failure(inFlight));
    assertFalse(e.mayStillCommit(), "a read in flight at the stop changed nothing: " + e);
    e = assertInstanceOf(NodeStoppedException.class, TestCluster.failure(afterStop));
    assertFalse(e.mayStillCommit(), "a read asked of a stopped node changed nothing: " + e);
  }
}
