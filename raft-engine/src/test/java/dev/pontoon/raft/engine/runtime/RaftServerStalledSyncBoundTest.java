package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.OverloadedException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a leader holds in memory for writes is bounded by its configuration, even when its own
 * disk stops: a sync that never returns must not let the entries waiting for it (the sync
 * worker's queue, the core's unstable log) grow with every write the followers commit.
 */
class RaftServerStalledSyncBoundTest {

  private static final ClusterConfig THREE = ClusterConfig.ofVoters("n1", "n2", "n3");
  private static final NodeId N1 = NodeId.of("n1");
  private static final int MAX_PENDING = 16;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final FailingLogStore leaderStore = new FailingLogStore();
  private final List<RaftServer> servers = new ArrayList<>();

  @AfterEach
  void closeAll() {
    leaderStore.resumeSyncs();
    servers.forEach(RaftServer::close);
  }

  @Test
  void aLeaderWhoseSyncStallsHoldsABoundedNumberOfUnsyncedWrites() {
    for (NodeId id : THREE.voters()) {
      LogStore store = id.equals(N1) ? leaderStore : new InMemoryLogStore();
      servers.add(RaftServer.builder().nodeId(id).cluster(THREE).transport(network.transport(id)).logStore(store)
          .snapshotStore(new InMemorySnapshotStore()).stateMachine(new RecordingStateMachine())
          .tickInterval(TestCluster.TICK)
          .electionTimeoutTicks(TestCluster.ELECTION_TICKS, 2 * TestCluster.ELECTION_TICKS).heartbeatTicks(3)
          .maxPendingProposals(MAX_PENDING).bootstrapLeader(N1).build());
    }
    RaftServer leader = servers.get(0);
    leader.submit(Bytes.ofUtf8("a=0")).orTimeout(20, TimeUnit.SECONDS).join();
    leaderStore.stallSyncs(); // the leader's disk hangs: no sync of its returns until the test ends
    leader.submit(Bytes.ofUtf8("a=1")).orTimeout(20, TimeUnit.SECONDS).join();
    await().atMost(20, TimeUnit.SECONDS).until(() -> leaderStore.stalledSyncs() >= 1);
    long durable = leaderStore.durableLastIndex();

    // Clients keep writing, MAX_PENDING at a time; the followers commit each window.
    int accepted = 0;
    int refused = 0;
    int refusedForSync = 0;
    for (int window = 0; window < 200; window++) {
      List<CompletableFuture<Bytes>> futures = new ArrayList<>();
      for (int i = 0; i < MAX_PENDING; i++) {
        futures.add(leader.submit(Bytes.ofUtf8("k" + i + "=" + window)));
      }
      for (CompletableFuture<Bytes> f : futures) {
        try {
          f.orTimeout(20, TimeUnit.SECONDS).join();
          accepted++;
        } catch (CompletionException e) {
          if (!(e.getCause() instanceof OverloadedException)) {
            throw e;
          }
          if (e.getCause().getMessage().contains("log sync is behind")) {
            refusedForSync++;
          }
          refused++;
        }
      }
    }

    long unsynced = leader.status().lastLogIndex() - durable;
    assertTrue(unsynced <= 10L * MAX_PENDING, "with its sync stalled the leader accepted " + accepted + " writes ("
        + refused + " refused) and holds " + unsynced + " entries its disk never took, in its sync queue and unstable"
        + " log; maxPendingProposals is " + MAX_PENDING);
    assertTrue(refusedForSync > 0, refused + " refused, none because the leader's log sync is behind");

    // Once its disk returns, the leader takes writes again.
    leaderStore.resumeSyncs();
    await().atMost(20, TimeUnit.SECONDS).until(() -> {
      try {
        leader.submit(Bytes.ofUtf8("after=1")).orTimeout(20, TimeUnit.SECONDS).join();
        return true;
      } catch (CompletionException e) {
        if (e.getCause() instanceof OverloadedException) {
          return false;
        }
        throw e;
      }
    });
  }
}
