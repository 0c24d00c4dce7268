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
import dev.pontoon.raft.storage.LogStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The disk write runs beside the loop: it never holds back heartbeats, and proposals batch behind it. */
class RaftServerGroupCommitTest {

  private static final ClusterConfig THREE = ClusterConfig.ofVoters("n1", "n2", "n3");
  private static final NodeId N1 = NodeId.of("n1");
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FailingLogStore leaderStore = new FailingLogStore();
  private final List<RaftServer> servers = new ArrayList<>();

  private void startCluster() {
    for (NodeId id : THREE.voters()) {
      LogStore store = id.equals(N1) ? leaderStore : new InMemoryLogStore();
      servers.add(RaftServer.builder().nodeId(id).cluster(THREE).transport(network.transport(id)).logStore(store)
          .snapshotStore(new InMemorySnapshotStore())
          .stateMachine(new RecordingStateMachine()).tickInterval(TestCluster.TICK)
          .electionTimeoutTicks(TestCluster.ELECTION_TICKS, 2 * TestCluster.ELECTION_TICKS).heartbeatTicks(3)
          .bootstrapLeader(N1).meterRegistry(registry).build());
    }
  }

  @AfterEach
  void closeAll() {
    leaderStore.resumeSyncs();
    servers.forEach(RaftServer::close);
  }

  @Test
  void leaderCommitsOnItsFollowersWhileItsOwnWriteIsStalledAndKeepsItsLeadership() {
    startCluster();
    RaftServer leader = servers.get(0);
    leader.submit(Bytes.ofUtf8("a=1")).orTimeout(20, TimeUnit.SECONDS).join();
    leaderStore.stallSyncs();

    // Thesis §10.2.1: the leader sends AppendEntries in parallel with its own write; two
    // followers are a majority of three, so the command commits without the leader's disk.
    CompletableFuture<Bytes> committed = leader.submit(Bytes.ofUtf8("a=2"));
    assertEquals(Bytes.ofUtf8("1"), committed.orTimeout(20, TimeUnit.SECONDS).join());
    assertTrue(leaderStore.stalledSyncs() >= 1, "the leader's sync was stalled meanwhile");

    // Heartbeats leave from the loop, not behind the sync: no follower times out.
    long term = leader.status().term();
    Duration beyondElectionTimeout = TestCluster.TICK.multipliedBy(3L * TestCluster.ELECTION_TICKS);
    await().during(beyondElectionTimeout).atMost(beyondElectionTimeout.multipliedBy(2))
        .until(() -> servers.stream().allMatch(s -> s.status().term() == term && N1.equals(s.status().leader())));
  }

  @Test
  void proposalsArrivingDuringASyncShareTheNextOne() {
    startCluster();
    RaftServer leader = servers.get(0);
    leader.submit(Bytes.ofUtf8("a=0")).orTimeout(20, TimeUnit.SECONDS).join();
    leaderStore.stallSyncs();
    List<CompletableFuture<Bytes>> futures = new ArrayList<>();
    futures.add(leader.submit(Bytes.ofUtf8("a=1")));
    await().atMost(20, TimeUnit.SECONDS).until(() -> leaderStore.stalledSyncs() >= 1);
    for (int i = 2; i <= 100; i++) {
      futures.add(leader.submit(Bytes.ofUtf8("a=" + i)));
    }
    await().atMost(20, TimeUnit.SECONDS).until(() -> leader.status().lastLogIndex() >= 101);
    leaderStore.resumeSyncs();
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).orTimeout(20, TimeUnit.SECONDS).join();

    DistributionSummary batch = registry.find("raft.append.batch.size").tag("node", "n1").summary();
    await().atMost(20, TimeUnit.SECONDS).until(() -> batch.max() >= 99);
    assertTrue(batch.max() >= 99, "the 99 proposals queued behind the stalled sync went in one batch");
  }
}
