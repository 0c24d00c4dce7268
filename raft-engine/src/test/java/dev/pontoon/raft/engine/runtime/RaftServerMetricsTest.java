package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.ReadMode;
import dev.pontoon.raft.log.Bytes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The node's meters exist under {@code raft.}, carry the group and node tags, and move. */
class RaftServerMetricsTest {

  private final MeterRegistry registry = new SimpleMeterRegistry();

  private Search on(RaftServer node, String name) {
    return registry.find(name).tag("group", "orders").tag("node", node.id().value());
  }

  @Test
  void metersExistAndMoveWithTraffic() {
    try (TestCluster cluster = new TestCluster(3, b -> b.meterRegistry(registry).groupId("orders"))) {
      RaftServer leader = cluster.awaitLeader();
      for (int i = 0; i < 50; i++) {
        leader.submit(Bytes.ofUtf8("k=" + i)).join();
      }
      leader.read(Bytes.ofUtf8("k")).join();
      RaftServer follower = cluster.followers(leader).get(0);
      follower.submit(Bytes.ofUtf8("k=x")).exceptionally(e -> null).join();

      assertEquals(50, on(leader, "raft.proposals").counter().count());
      assertEquals(50, on(leader, "raft.commit.latency").timer().count());
      assertTrue(on(leader, "raft.commit.latency").timer().takeSnapshot().percentileValues().length == 3,
          "p50, p95 and p99 are published");
      assertTrue(on(leader, "raft.append.batch.size").summary().count() > 0);
      assertTrue(on(leader, "raft.fsync.latency").timer().count() > 0);
      assertTrue(on(leader, "raft.term").gauge().value() >= 1);
      assertTrue(on(leader, "raft.commit.index").gauge().value() >= 50);
      await().atMost(10, TimeUnit.SECONDS).until(() -> on(leader, "raft.apply.lag").gauge().value() == 0);
      assertTrue(on(leader, "raft.leader.changes").counter().count() >= 1);
      double elections = cluster.running().stream()
          .mapToDouble(s -> on(s, "raft.elections.started").counter().count()).sum();
      assertTrue(elections >= 1, "the leader was elected");
      assertTrue(on(leader, "raft.messages.sent").counter().count() > 0);
      assertTrue(on(leader, "raft.messages.received").counter().count() > 0);
      assertTrue(on(leader, "raft.bytes.sent").counter().count() > 50 * 4, "bytes include the entries' payloads");
      assertTrue(on(follower, "raft.bytes.received").counter().count() > 0);
      assertEquals(1, on(leader, "raft.reads").tag("mode", "read_index").counter().count());
      assertEquals(1, on(follower, "raft.proposals.rejected").tag("reason", "not_leader").counter().count());
      await().atMost(10, TimeUnit.SECONDS).until(() -> on(leader, "raft.replication.lag").tag("peer",
          follower.id().value()).gauge() != null && on(leader, "raft.replication.lag").tag("peer",
          follower.id().value()).gauge().value() == 0);
    }
  }

  @Test
  void leaseReadsSkipTheReadIndexRound() {
    try (TestCluster cluster = new TestCluster(3, b -> b.meterRegistry(registry).groupId("orders")
        .readMode(ReadMode.LEASE))) {
      RaftServer leader = cluster.awaitLeader();
      leader.submit(Bytes.ofUtf8("k=1")).join();
      for (int i = 0; i < 20; i++) {
        leader.read(Bytes.ofUtf8("k")).join();
      }
      Counter lease = on(leader, "raft.reads").tag("mode", "lease").counter();
      assertNotNull(lease);
      assertTrue(lease.count() > 0, "with heartbeats acknowledged, most reads are served on the lease");
    }
  }

  @Test
  void closedNodeRemovesItsMeters() {
    TestCluster cluster = new TestCluster(1, b -> b.meterRegistry(registry).groupId("orders"));
    RaftServer node = cluster.awaitLeader();
    assertNotNull(on(node, "raft.term").gauge());
    cluster.close();
    for (Meter m : registry.getMeters()) {
      assertTrue(!node.id().value().equals(m.getId().getTag("node")), "left behind: " + m.getId());
    }
  }
}
