package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.storage.ForwardingLogStore;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.StorageException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A new cluster may start with a leader of term 1 and no election (§5.2: one vote per term). */
class RaftServerBootstrapTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final ClusterConfig THREE = ClusterConfig.ofVoters("n1", "n2", "n3");
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Map<NodeId, InMemoryLogStore> stores = new LinkedHashMap<>();
  private final List<RaftServer> servers = new ArrayList<>();

  private RaftServer start(NodeId id, InMemoryLogStore store) {
    stores.put(id, store);
    RaftServer server = RaftServer.builder().nodeId(id).cluster(THREE).transport(network.transport(id))
        .logStore(store).stateMachine(new RecordingStateMachine()).tickSource(new ManualTickSource())
        .bootstrapLeader(N1).build();
    servers.add(server);
    return server;
  }

  /** Starts {@code id} with real ticks: a member of THREE bootstrapped with n1, or, if {@code joining}, a new node. */
  private RaftServer startTicking(NodeId id, boolean joining) {
    InMemoryLogStore store = new InMemoryLogStore();
    stores.put(id, store);
    RaftServerBuilder builder = RaftServer.builder().nodeId(id).transport(network.transport(id)).logStore(store)
        .stateMachine(new RecordingStateMachine()).tickInterval(TestCluster.TICK)
        .electionTimeoutTicks(TestCluster.ELECTION_TICKS, 2 * TestCluster.ELECTION_TICKS).heartbeatTicks(3);
    RaftServer server = (joining ? builder.joining() : builder.cluster(THREE).bootstrapLeader(N1)).build();
    servers.add(server);
    return server;
  }

  @AfterEach
  void closeAll() {
    servers.forEach(RaftServer::close);
  }

  @Test
  void bootstrapLeaderCommitsAtOnceWithoutAnElectionOrTicks() {
    RaftServer leader = start(N1, new InMemoryLogStore());
    start(NodeId.of("n2"), new InMemoryLogStore());
    start(NodeId.of("n3"), new InMemoryLogStore());
    assertEquals(Role.LEADER, leader.status().role());
    assertEquals(1, leader.status().term());
    assertEquals(Bytes.ofUtf8(""), leader.submit(Bytes.ofUtf8("a=1")).orTimeout(10, TimeUnit.SECONDS).join());
    assertEquals(2, leader.status().lastLogIndex(), "no no-op: the first command follows the bootstrap entry");
    for (InMemoryLogStore store : stores.values()) {
      await().atMost(10, TimeUnit.SECONDS).until(() -> store.lastIndex() == 2);
      assertEquals(RaftCore.bootstrapEntry(THREE), store.entries(1, 2, Long.MAX_VALUE).get(0),
          "every member holds the same bootstrap entry (1, 1)");
    }
    HardState n3 = stores.get(NodeId.of("n3")).loadHardState();
    assertEquals(new HardState(1, N1), new HardState(n3.currentTerm(), n3.votedFor()),
        "every member voted for the bootstrap leader in term 1 before it ran");
  }

  @Test
  void restartedBootstrapLeaderDoesNotBootstrapAgain() {
    RaftServer first = start(N1, new InMemoryLogStore());
    start(NodeId.of("n2"), new InMemoryLogStore());
    first.submit(Bytes.ofUtf8("a=1")).orTimeout(10, TimeUnit.SECONDS).join();
    InMemoryLogStore crashed = stores.get(N1).durableCopy();
    first.close();
    RaftServer again = start(N1, crashed);
    assertEquals(Role.FOLLOWER, again.status().role(), "a store that is not new recovers as usual");
    assertEquals(1, again.status().term());
  }

  /**
   * Bootstrap is a one-time durable event: a bootstrap leader that crashes before any write after
   * the bootstrap state is synced comes back to exactly that state, and must still not lead term 1
   * again — followers may already hold (and have committed) its first entry, and a second
   * leadership of term 1 could write another one at the same index and term.
   */
  @Test
  void bootstrapLeaderCrashedBeforeItsFirstSyncDoesNotLeadTermOneAgain() {
    InMemoryLogStore disk = new InMemoryLogStore();
    RaftServer first = start(N1, disk);
    assertEquals(Role.LEADER, first.status().role());
    InMemoryLogStore afterCrash = disk.durableCopy();
    first.close();
    RaftServer again = start(N1, afterCrash);
    assertEquals(Role.FOLLOWER, again.status().role(), "only the start that bootstrapped may lead term 1");
    assertEquals(new HardState(1, N1), afterCrash.loadHardState());
  }

  /**
   * A crash in the middle of bootstrap, before its sync, keeps some prefix of its writes (the
   * LogStore contract). Whatever prefix survives, the restarted member must not be free to vote
   * for another node in term 1: else a majority crashed there could elect a second leader of term
   * 1 beside the bootstrap leader, and two entries could be committed at one index of term 1.
   */
  @Test
  void aMemberCrashedInTheMiddleOfBootstrapCanVoteOnlyForTheBootstrapLeaderInTermOne() {
    NodeId n2 = NodeId.of("n2");
    InMemoryLogStore disk = new InMemoryLogStore();
    LogStore crashesAtSync = new ForwardingLogStore() {
      @Override
      protected LogStore delegate() {
        return disk;
      }

      @Override
      public void sync() {
        throw new StorageException("simulated crash before the sync");
      }
    };
    try {
      RaftServer.builder().nodeId(n2).cluster(THREE).transport(new InMemoryNetwork().transport(n2)).logStore(crashesAtSync)
          .stateMachine(new RecordingStateMachine()).tickSource(new ManualTickSource()).bootstrapLeader(N1).build()
          .close();
    } catch (RuntimeException crashed) {
      // the start died at the sync, as a crashed process would
    }
    for (int kept = 0; kept <= disk.unsyncedWrites(); kept++) {
      InMemoryLogStore afterCrash = disk.crashCopy(kept);
      servers.add(RaftServer.builder().nodeId(n2).cluster(THREE).transport(new InMemoryNetwork().transport(n2))
          .logStore(afterCrash).stateMachine(new RecordingStateMachine()).tickSource(new ManualTickSource())
          .bootstrapLeader(N1).build());
      HardState state = afterCrash.loadHardState();
      assertTrue(state.currentTerm() > 1 || (state.currentTerm() == 1 && N1.equals(state.votedFor())),
          "with " + kept + " of bootstrap's writes kept, n2 restarted at " + state + " holding [" + afterCrash.firstIndex()
              + ", " + afterCrash.lastIndex() + "]");
    }
  }

  /**
   * A bootstrap leader has committed no entry of its term until a majority holds the bootstrap
   * entry, and may not change the configuration before that (thesis §4.1, the single-server bug
   * fix). A voter added right after bootstrap waits for that commit instead of being refused with
   * CHANGE_IN_PROGRESS, then joins.
   */
  @Test
  void aVoterAddedRightAfterBootstrapWaitsForTheBootstrapEntryToCommit() {
    NodeId n4 = NodeId.of("n4");
    RaftServer leader = startTicking(N1, false);

    CompletableFuture<ClusterConfig> added = leader.addVoter(n4, null); // n2, n3 not started: nothing can commit yet
    startTicking(NodeId.of("n2"), false);
    startTicking(NodeId.of("n3"), false);
    startTicking(n4, true);

    ClusterConfig result = added.orTimeout(30, TimeUnit.SECONDS).join();
    assertEquals(Set.of(N1, NodeId.of("n2"), NodeId.of("n3"), n4), result.voters());
    assertEquals(result, leader.status().config());
  }
}
