package dev.pontoon.raft.engine.runtime;

import static dev.pontoon.raft.engine.runtime.TestCluster.submitAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.Snapshot;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** §7: snapshots bound the log, and a follower too far behind catches up from the leader's snapshot. */
class RaftServerSnapshotTest {

  @Test
  void everyNodeSnapshotsAndDiscardsTheLogItCovers() throws Exception {
    try (TestCluster cluster = new TestCluster(3, b -> b.snapshotEvery(50))) {
      RaftServer leader = cluster.awaitLeader();
      submitAll(leader, "k", 200);
      for (NodeId id : cluster.config.voters()) {
        InMemoryLogStore log = cluster.logStores.get(id);
        await().atMost(20, TimeUnit.SECONDS).until(() -> log.firstIndex() > 100);
        Snapshot snapshot = cluster.snapshotStores.get(id).latest().orElseThrow();
        assertEquals(log.firstIndex() - 1, snapshot.meta().lastIncludedIndex(), "the log starts right after it");
        assertTrue(cluster.servers.get(id).status().snapshotIndex() >= snapshot.meta().lastIncludedIndex());
      }
    }
  }

  @Test
  void stateMachineWithoutSnapshotsKeepsItsWholeLogAndWorks() {
    RaftServer node = RaftServer.builder().nodeId("s1").cluster(dev.pontoon.raft.log.ClusterConfig.ofVoters("s1"))
        .transport(new dev.pontoon.raft.engine.memory.InMemoryNetwork().transport(NodeId.of("s1")))
        .logStore(new InMemoryLogStore()).stateMachine(new ReadmeExampleTest.ReadmeExample.Counter())
        .bootstrapLeader(NodeId.of("s1")).snapshotEvery(2).build();
    try {
      for (int i = 1; i <= 10; i++) {
        assertEquals(Bytes.ofUtf8(String.valueOf(i * (i + 1) / 2)), node.submit(Bytes.ofUtf8(String.valueOf(i))).join());
      }
      assertEquals(0, node.status().snapshotIndex());
    } finally {
      node.close();
    }
  }

  @Test
  void followerBehindTheLeadersCompactedLogCatchesUpFromItsSnapshot() throws Exception {
    try (TestCluster cluster = new TestCluster(3, b -> b.snapshotEvery(50))) {
      RaftServer leader = cluster.awaitLeader();
      NodeId lagging = cluster.followers(leader).get(0).id();
      submitAll(leader, "a", 60);
      InMemoryLogStore crashed = cluster.logStores.get(lagging).durableCopy();
      long lastHeld = crashed.lastIndex();
      cluster.stop(lagging);
      submitAll(leader, "b", 300);
      InMemoryLogStore leaderLog = cluster.logStores.get(leader.id());
      await().atMost(20, TimeUnit.SECONDS).until(() -> leaderLog.firstIndex() > lastHeld + 1);

      RaftServer restarted = cluster.start(lagging, crashed, cluster.snapshotStores.get(lagging));
      leader.submit(Bytes.ofUtf8("last=1")).get(20, TimeUnit.SECONDS);
      RecordingStateMachine fresh = cluster.machine(lagging);
      RecordingStateMachine reference = cluster.machine(leader.id());
      await().atMost(20, TimeUnit.SECONDS).until(() -> fresh.values().equals(reference.values()));
      // The entries it missed reached it only inside the leader's snapshot.
      await().atMost(20, TimeUnit.SECONDS).until(() -> restarted.status().snapshotIndex() > lastHeld);
      assertTrue(cluster.snapshotStores.get(lagging).latest().orElseThrow().meta().lastIncludedIndex() > lastHeld,
          "the installed snapshot was saved");
    }
  }
}
