package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.ReadMode;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.transport.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lease reads (thesis §6.4.1) are decided on the core's state at the moment of the read. */
class RaftServerLeaseReadTest {

  private static final int PATIENCE_SECONDS = 20;
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  /** Seeds whose first election timeouts are 16, 17 and 19 ticks: n1 times out first. */
  private static final Map<NodeId, Long> SEEDS = Map.of(N1, 1L, N2, 3L, NodeId.of("n3"), 4L);
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Map<NodeId, ManualTickSource> ticks = new LinkedHashMap<>();
  private final List<RaftServer> servers = new ArrayList<>();
  private GatedTransport leaderTransport;

  @AfterEach
  void closeAll() {
    if (leaderTransport != null) {
      leaderTransport.release();
    }
    servers.forEach(RaftServer::close);
  }

  /** Three nodes with 1 s ticks (a lease of about 8 s) that tick only when the test says; n1 leads. */
  private RaftServer startClusterLedByN1() {
    ClusterConfig three = ClusterConfig.ofVoters("n1", "n2", "n3");
    for (NodeId id : three.voters()) {
      Transport transport = network.transport(id);
      if (id.equals(N1)) {
        leaderTransport = new GatedTransport(transport);
        transport = leaderTransport;
      }
      ManualTickSource source = new ManualTickSource();
      ticks.put(id, source);
      servers.add(RaftServer.builder().nodeId(id).cluster(three).transport(transport).logStore(new InMemoryLogStore())
          .stateMachine(new RecordingStateMachine()).readMode(ReadMode.LEASE).tickInterval(Duration.ofSeconds(1))
          .tickSource(source).meterRegistry(registry).randomSeed(SEEDS.get(id)).build());
    }
    RaftServer n1 = servers.get(0);
    // A started voter refuses votes for one minimum election timeout (10 ticks): let n2 and n3 pass it.
    // Ticks are queued to each loop, so n1 ticks one at a time until it leads, never racing ahead.
    ticks.get(NodeId.of("n2")).tick(10);
    ticks.get(NodeId.of("n3")).tick(10);
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(20)).until(() -> {
      if (n1.status().role() != Role.LEADER) {
        ticks.get(N1).tick(1);
      }
      return n1.status().role() == Role.LEADER && n1.status().commitIndex() >= 1;
    });
    return n1;
  }

  /**
   * A bootstrap leader leads from its first moment (term 1, no election): its lease starts then,
   * and once an entry of its term commits, reads within the lease skip the ReadIndex round.
   */
  @Test
  void bootstrapLeaderServesReadsOnItsLease() throws Exception {
    ClusterConfig three = ClusterConfig.ofVoters("n1", "n2", "n3");
    for (NodeId id : three.voters()) {
      servers.add(RaftServer.builder().nodeId(id).cluster(three).transport(network.transport(id))
          .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine()).readMode(ReadMode.LEASE)
          .tickInterval(Duration.ofSeconds(1)).tickSource(new ManualTickSource()).meterRegistry(registry)
          .bootstrapLeader(N1).build());
    }
    RaftServer n1 = servers.get(0);
    n1.submit(Bytes.ofUtf8("k=1")).get(PATIENCE_SECONDS, TimeUnit.SECONDS);

    assertEquals(Bytes.ofUtf8("1"), n1.read(Bytes.ofUtf8("k")).get(PATIENCE_SECONDS, TimeUnit.SECONDS));

    assertEquals(1, registry.find("raft.reads").tag("node", "n1").tag("mode", "lease").counter().count());
  }

  /**
   * §6.4 step 1 asks that an entry of the leader's term be committed; the leader knows that from
   * its own log. An entry commits on its followers' copies while the leader's own write is still
   * on its way to the store (it is sent in parallel, §10.2.1), so the lease must not wait for the
   * store: here the leader's sync is stalled with one entry written and the next not yet written,
   * both committed by the followers, and the read is still served on the lease.
   */
  @Test
  void aCommittedEntryOfTheTermAllowsLeaseReadsBeforeTheLeadersOwnWriteLands() throws Exception {
    ClusterConfig three = ClusterConfig.ofVoters("n1", "n2", "n3");
    FailingLogStore leaderStore = new FailingLogStore();
    for (NodeId id : three.voters()) {
      servers.add(RaftServer.builder().nodeId(id).cluster(three).transport(network.transport(id))
          .logStore(id.equals(N1) ? leaderStore : new InMemoryLogStore())
          .snapshotStore(new InMemorySnapshotStore())
          .stateMachine(new RecordingStateMachine()).readMode(ReadMode.LEASE).tickInterval(Duration.ofSeconds(1))
          .tickSource(new ManualTickSource()).meterRegistry(registry).bootstrapLeader(N1).build());
    }
    RaftServer n1 = servers.get(0);
    try {
      leaderStore.stallSyncs();
      n1.submit(Bytes.ofUtf8("a=1")); // written, then its sync stalls the leader's sync thread
      await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> leaderStore.stalledSyncs() >= 1);
      n1.submit(Bytes.ofUtf8("k=2")); // queued behind that sync: not in the leader's store yet
      await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> n1.status().commitIndex() >= 3);
      assertEquals(2, leaderStore.lastIndex(), "the leader's store lacks the committed entry 3");

      n1.read(Bytes.ofUtf8("k")).get(PATIENCE_SECONDS, TimeUnit.SECONDS);

      assertEquals(1, registry.find("raft.reads").tag("node", "n1").tag("mode", "lease").counter().count(),
          "served on the lease");
    } finally {
      leaderStore.resumeSyncs();
    }
  }

  /**
   * A leader that learns of a higher term steps down at once (§5.1); a read queued right behind
   * that message must not be served on the lease, even though the loop has not yet published the
   * new role: the lease decision reads the core, not the last published status.
   */
  @Test
  void readRightAfterAStepDownIsNeverServedOnTheLease() throws Exception {
    RaftServer n1 = startClusterLedByN1();
    n1.submit(Bytes.ofUtf8("k=1")).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    assertEquals(Bytes.ofUtf8("1"), n1.read(Bytes.ofUtf8("k")).get(PATIENCE_SECONDS, TimeUnit.SECONDS));
    Counter leaseReads = registry.find("raft.reads").tag("node", "n1").tag("mode", "lease").counter();
    assertEquals(1, leaseReads.count(), "the leader holds a lease");
    long term = n1.status().term();

    // Pin the loop inside a send, then queue a higher term and a read behind it: one batch.
    leaderTransport.hold();
    n1.submit(Bytes.ofUtf8("k=2"));
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(leaderTransport::isBlocked);
    leaderTransport.inject(new AppendEntriesResponse(N2, N1, term + 1, false, 0, 0, 0, 0));
    CompletableFuture<Bytes> read = n1.read(Bytes.ofUtf8("k"));
    leaderTransport.release();

    assertInstanceOf(NotLeaderException.class, TestCluster.failure(read));
    assertEquals(1, leaseReads.count(), "no read on the lease of a deposed leader");
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> n1.status().role() == Role.FOLLOWER);
  }

  /**
   * An acknowledgement the core refuses (it claims entries the leader never had, which no correct
   * follower sends) must not extend the lease either: otherwise a forged or corrupted response
   * would let a cut-off leader answer reads on a lease no quorum granted (thesis §6.4.1).
   */
  @Test
  void aRefusedAcknowledgementNeverExtendsTheLease() throws Exception {
    ClusterConfig three = ClusterConfig.ofVoters("n1", "n2", "n3");
    AdjustableClockScheduler clock = new AdjustableClockScheduler();
    for (NodeId id : three.voters()) {
      Transport transport = network.transport(id);
      RaftServerBuilder builder = RaftServer.builder();
      if (id.equals(N1)) {
        leaderTransport = new GatedTransport(transport);
        transport = leaderTransport;
        builder.scheduler(clock);
      }
      servers.add(builder.nodeId(id).cluster(three).transport(transport).logStore(new InMemoryLogStore())
          .stateMachine(new RecordingStateMachine()).readMode(ReadMode.LEASE).tickInterval(Duration.ofSeconds(1))
          .tickSource(new ManualTickSource()).meterRegistry(registry).bootstrapLeader(N1).build());
    }
    RaftServer n1 = servers.get(0);
    n1.submit(Bytes.ofUtf8("k=1")).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    n1.read(Bytes.ofUtf8("k")).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    Counter leaseReads = registry.find("raft.reads").tag("node", "n1").tag("mode", "lease").counter();
    assertEquals(1, leaseReads.count(), "the leader holds a lease");

    network.disconnect(N2);
    network.disconnect(NodeId.of("n3"));
    clock.advance(Duration.ofSeconds(30));
    long before = leaderTransport.lastAppendTo(N2).sequence();
    n1.read(Bytes.ofUtf8("k")); // the lease lapsed: a ReadIndex round, whose heartbeats are lost
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> leaderTransport.lastAppendTo(N2).sequence() > before);
    AppendEntries heartbeat = leaderTransport.lastAppendTo(N2);
    leaderTransport.inject(new AppendEntriesResponse(N2, N1, heartbeat.term(), true, 1_000_000, 0, 0,
        heartbeat.sequence()));
    n1.read(Bytes.ofUtf8("k"));

    Counter readIndexReads = registry.find("raft.reads").tag("node", "n1").tag("mode", "read_index").counter();
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> readIndexReads.count() >= 2);
    assertEquals(1, leaseReads.count(), "no read on a lease extended by a refused acknowledgement");
  }
}
