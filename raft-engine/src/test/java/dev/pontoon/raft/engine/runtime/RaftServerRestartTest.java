package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A node restarted on its stores recovers term, vote and log, and re-applies each index once (Figure 2, persistent state). */
class RaftServerRestartTest {

  /**
   * A process that crashed may leave writes it never synced, readable from the OS's cache yet not
   * durable. The restarted node acts on what it reads (a match index, a vote), so recovery makes it
   * durable before building the node (found by a review).
   */
  @Test
  void recoveryMakesWhatAnEarlierProcessLeftUnsyncedDurableBeforeTheNodeActsOnIt() {
    InMemoryLogStore store = new InMemoryLogStore();
    store.saveHardState(new HardState(3, NodeId.of("r1")));
    store.append(List.of(LogEntry.command(1, 2, Bytes.ofUtf8("k=v"))));
    assertTrue(store.unsyncedWrites() > 0, "the earlier process did not sync");
    RaftServer node = RaftServer.builder().nodeId("r1").cluster(ClusterConfig.ofVoters("r1", "r2",
        "r3")).transport(new InMemoryNetwork().transport(NodeId.of("r1")))
        .logStore(store).stateMachine(new RecordingStateMachine()).build();
    try {
      assertEquals(0, store.unsyncedWrites(), "recovery synced before the node could act");
      assertEquals(3, node.status().term());
    } finally {
      node.close();
    }
  }

  @Test
  void restartedNodeRecoversItsLogAndAppliesEachIndexExactlyOnce() throws Exception {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      NodeId victim = cluster.followers(leader).get(0).id();
      for (int i = 0; i < 200; i++) {
        leader.submit(Bytes.ofUtf8("a" + i + "=" + i)).get(20, TimeUnit.SECONDS);
      }
      await().atMost(20, TimeUnit.SECONDS).until(() -> cluster.machine(victim).appliedCount() == 200);
      long termBefore = cluster.servers.get(victim).status().term();
      InMemoryLogStore crashed = cluster.logStores.get(victim).durableCopy();
      cluster.stop(victim);
      for (int i = 0; i < 200; i++) {
        leader.submit(Bytes.ofUtf8("b" + i + "=" + i)).get(20, TimeUnit.SECONDS);
      }
      assertTrue(crashed.lastIndex() >= 200, "the synced log survived the crash");
      RaftServer restarted = cluster.start(victim, crashed, new InMemorySnapshotStore());
      assertTrue(restarted.status().term() >= termBefore, "term recovered from the hard state");
      RecordingStateMachine fresh = cluster.machine(victim);
      await().atMost(20, TimeUnit.SECONDS).until(() -> fresh.appliedCount() == 400);
      List<Long> indexes = fresh.appliedIndexes();
      for (int i = 1; i < indexes.size(); i++) {
        assertTrue(indexes.get(i) > indexes.get(i - 1), "each index applied once, in log order: " + indexes);
      }
      assertEquals(cluster.machine(leader.id()).appliedCommands(), fresh.appliedCommands());
    }
  }

  @Test
  void wholeClusterRestartsFromWhatWasSyncedAndReappliesEveryAcknowledgedCommandOnce() throws Exception {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      List<String> acknowledged = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        leader.submit(Bytes.ofUtf8("c" + i + "=" + i)).get(20, TimeUnit.SECONDS);
        acknowledged.add("c" + i + "=" + i);
      }
      List<NodeId> ids = List.copyOf(cluster.config.voters());
      List<InMemoryLogStore> crashed = new ArrayList<>();
      for (NodeId id : ids) {
        crashed.add(cluster.logStores.get(id).durableCopy());
        cluster.stop(id);
      }
      for (int i = 0; i < ids.size(); i++) {
        cluster.start(ids.get(i), crashed.get(i), new InMemorySnapshotStore());
      }
      RaftServer next = cluster.awaitLeader();
      next.submit(Bytes.ofUtf8("after=1")).get(20, TimeUnit.SECONDS);
      for (NodeId id : ids) {
        await().atMost(20, TimeUnit.SECONDS).until(() -> cluster.machine(id).appliedCount() == 101);
        List<String> applied = cluster.machine(id).appliedCommands();
        assertEquals(acknowledged, applied.subList(0, 100), "every acknowledged command survives, once, in order");
      }
    }
  }
}
