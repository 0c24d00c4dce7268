package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.CommandTooLargeException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Snapshots of any size between real runtimes: streamed in pieces, a catch-up margin that spares
 * a follower slightly behind the whole snapshot, and limits from the transport that never wedge
 * the cluster.
 */
class RaftServerStreamedSnapshotTest {

  private static void submit(RaftServer leader, String prefix, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      leader.submit(Bytes.ofUtf8(prefix + i + "=" + "v".repeat(40) + i)).get(20, TimeUnit.SECONDS);
    }
  }

  private static double count(SimpleMeterRegistry registry, String name, NodeId node) {
    var counter = registry.find(name).tag("node", node.value()).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void followerBehindTheCompactedLogCatchesUpThroughASnapshotStreamedInManyPieces() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (TestCluster cluster = new TestCluster(3, b -> b.snapshotEvery(50).snapshotChunkBytes(100)
        .snapshotChunksInFlight(3).meterRegistry(registry))) {
      RaftServer leader = cluster.awaitLeader();
      NodeId lagging = cluster.followers(leader).get(0).id();
      submit(leader, "a", 10);
      InMemoryLogStore crashed = cluster.logStores.get(lagging).durableCopy();
      long lastHeld = crashed.lastIndex();
      cluster.stop(lagging);
      submit(leader, "b", 200);
      InMemoryLogStore leaderLog = cluster.logStores.get(leader.id());
      await().atMost(20, TimeUnit.SECONDS).until(() -> leaderLog.firstIndex() > lastHeld + 1);

      RaftServer restarted = cluster.start(lagging, crashed, cluster.snapshotStores.get(lagging));
      leader.submit(Bytes.ofUtf8("last=1")).get(20, TimeUnit.SECONDS);
      await().atMost(20, TimeUnit.SECONDS)
          .until(() -> cluster.machine(lagging).values().equals(cluster.machine(leader.id()).values()));

      assertTrue(restarted.status().snapshotIndex() > lastHeld, "caught up through the snapshot");
      long size = cluster.snapshotStores.get(lagging).newest().orElseThrow().size();
      assertTrue(size > 1_000, "a snapshot of many pieces of 100 bytes: " + size);
      assertTrue(count(registry, "raft.snapshots.sent", leader.id()) >= 1, "counted as sent");
      assertTrue(count(registry, "raft.snapshots.sent.bytes", leader.id()) >= size);
      assertTrue(count(registry, "raft.snapshots.received", lagging) >= 1, "counted as received");
      assertTrue(count(registry, "raft.snapshots.installed", lagging) >= 1, "counted as installed");
      assertTrue(registry.find("raft.snapshots.install.duration").tag("node", lagging.value()).timer().count() >= 1);
    }
  }

  @Test
  void followerWithinTheCatchUpMarginGetsEntriesNotTheSnapshot() throws Exception {
    try (TestCluster cluster = new TestCluster(3, b -> b.snapshotEvery(20).logRetainEntries(200))) {
      RaftServer leader = cluster.awaitLeader();
      NodeId lagging = cluster.followers(leader).get(0).id();
      submit(leader, "a", 10);
      InMemoryLogStore crashed = cluster.logStores.get(lagging).durableCopy();
      long lastHeld = crashed.lastIndex();
      cluster.stop(lagging);
      submit(leader, "b", 80);
      await().atMost(20, TimeUnit.SECONDS).until(() -> leader.status().snapshotIndex() > lastHeld);
      assertTrue(cluster.logStores.get(leader.id()).firstIndex() <= lastHeld + 1,
          "the margin keeps what the follower lacks");

      RaftServer restarted = cluster.start(lagging, crashed, cluster.snapshotStores.get(lagging));
      leader.submit(Bytes.ofUtf8("last=1")).get(20, TimeUnit.SECONDS);
      await().atMost(20, TimeUnit.SECONDS)
          .until(() -> cluster.machine(lagging).values().equals(cluster.machine(leader.id()).values()));

      assertEquals(0, cluster.machine(lagging).restores(), "no snapshot was sent: entries were");
      assertTrue(restarted.status().lastApplied() >= leader.status().commitIndex() - 1);
    }
  }

  @Test
  void commandLargerThanTheTransportCarriesIsRefusedAtSubmitAndNothingIsAppended() throws Exception {
    InMemoryNetwork network = new InMemoryNetwork();
    NodeId id = NodeId.of("big1");
    RaftServer node = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters("big1"))
        .transport(new Limited(network.transport(id), 16 * 1024, new AtomicLong())).logStore(new InMemoryLogStore())
        .stateMachine(new RecordingStateMachine()).bootstrapLeader(id).build();
    try {
      node.submit(Bytes.ofUtf8("k=small")).get(10, TimeUnit.SECONDS);
      long last = node.status().lastLogIndex();

      CompletableFuture<Bytes> big = node.submit(Bytes.wrap(new byte[20 * 1024]));

      CommandTooLargeException e = assertInstanceOf(CommandTooLargeException.class, TestCluster.failure(big));
      assertEquals(20 * 1024, e.size());
      assertTrue(e.limit() < 16 * 1024 && e.getMessage().contains("nothing was appended"), e.getMessage());
      assertEquals(last, node.status().lastLogIndex(), "nothing appended");
      node.submit(Bytes.ofUtf8("k=after")).get(10, TimeUnit.SECONDS);
    } finally {
      node.close();
    }
  }

  @Test
  void appendsAndSnapshotPiecesArePackedUnderTheTransportsLargestMessage() throws Exception {
    int limit = 8 * 1024;
    AtomicLong oversize = new AtomicLong();
    InMemoryNetwork network = new InMemoryNetwork();
    ClusterConfig config = ClusterConfig.ofVoters("p1", "p2", "p3");
    List<RaftServer> servers = new ArrayList<>();
    List<RecordingStateMachine> machines = new ArrayList<>();
    try {
      for (NodeId id : config.voters()) {
        RecordingStateMachine machine = new RecordingStateMachine();
        machines.add(machine);
        servers.add(RaftServer.builder().nodeId(id).cluster(config)
            .transport(new Limited(network.transport(id), limit, oversize)).logStore(new InMemoryLogStore())
            .snapshotStore(new InMemorySnapshotStore()).stateMachine(machine).tickInterval(TestCluster.TICK)
            .bootstrapLeader(NodeId.of("p1")).snapshotEvery(40).build());
      }
      RaftServer leader = servers.get(0);
      await().atMost(10, TimeUnit.SECONDS).until(() -> leader.status().role() == Role.LEADER);
      List<CompletableFuture<Bytes>> writes = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        writes.add(leader.submit(Bytes.ofUtf8("k" + i + "=" + "x".repeat(1000))));
      }
      for (CompletableFuture<Bytes> w : writes) {
        w.get(20, TimeUnit.SECONDS);
      }
      await().atMost(20, TimeUnit.SECONDS).until(() -> machines.get(1).values().equals(machines.get(0).values())
          && machines.get(2).values().equals(machines.get(0).values()));
      assertEquals(0, oversize.get(), "no message above the transport's limit was sent");
    } finally {
      servers.forEach(RaftServer::close);
    }
  }

  /** A transport that says it carries at most {@code limit} bytes, and counts what it is asked to send above it. */
  private record Limited(Transport inner, int limit, AtomicLong oversize) implements Transport {
    @Override
    public void start(InboundHandler inbound) {
      inner.start(inbound);
    }

    @Override
    public void send(RaftMessage message) {
      if (NodeMetrics.estimatedSize(message) > limit) {
        oversize.incrementAndGet();
        return;
      }
      inner.send(message);
    }

    @Override
    public int maxMessageBytes() {
      return limit;
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
