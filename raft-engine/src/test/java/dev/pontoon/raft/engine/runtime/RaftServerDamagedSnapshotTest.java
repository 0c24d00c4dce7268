package dev.pontoon.raft.engine.runtime;

import static dev.pontoon.raft.engine.runtime.TestCluster.submitAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A leader whose stored snapshot is damaged still brings a follower behind its compacted log up
 * to date (§7): it takes a sound snapshot of its healthy state machine instead of waiting for
 * enough new entries, which an idle cluster never gets.
 */
class RaftServerDamagedSnapshotTest {

  /**
   * The leader's newest snapshot fails its checksum when read for sending; no entry arrives after
   * the follower comes back. The follower still catches up to the leader's commit index, with the
   * same state.
   */
  @Test
  void followerBehindTheCompactedLogCatchesUpWhenTheLeadersSnapshotIsDamaged() throws Exception {
    Map<NodeId, DamageableSnapshotStore> stores = new ConcurrentHashMap<>();
    try (TestCluster cluster = new TestCluster(3, TestCluster.ELECTION_TICKS, b -> b.snapshotEvery(50),
        (id, store) -> stores.computeIfAbsent(id, i -> new DamageableSnapshotStore(store)))) {
      RaftServer leader = cluster.awaitLeader();
      NodeId lagging = cluster.followers(leader).get(0).id();
      submitAll(leader, "a", 10);
      InMemoryLogStore crashed = cluster.logStores.get(lagging).durableCopy();
      long lastHeld = crashed.lastIndex();
      cluster.stop(lagging);
      stores.remove(lagging);
      submitAll(leader, "b", 200);
      InMemoryLogStore leaderLog = cluster.logStores.get(leader.id());
      await().atMost(20, TimeUnit.SECONDS).until(() -> leaderLog.firstIndex() > lastHeld + 1);
      // A few entries past the snapshot, fewer than the policy's 50: no snapshot follows them.
      submitAll(leader, "c", 5);
      long damaged = leader.status().snapshotIndex();
      stores.get(leader.id()).damageThrough(damaged);

      RaftServer restarted = cluster.start(lagging, crashed, cluster.snapshotStores.get(lagging));
      await().atMost(20, TimeUnit.SECONDS).untilAsserted(() -> {
        assertEquals(leader.status().commitIndex(), restarted.status().lastApplied(),
            "the follower applied up to the leader's commit index");
        assertEquals(cluster.machine(leader.id()).values(), cluster.machine(lagging).values());
      });
      assertTrue(leader.status().snapshotIndex() > damaged, "the leader took a sound snapshot");
    }
  }
}
