package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.OverloadedException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Leader loss, overload, storage failure and shutdown leave no request unanswered. */
class RaftServerFaultTest {

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      f.orTimeout(20, TimeUnit.SECONDS).join();
      throw new AssertionError("future completed normally");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void commandsAcknowledgedBeforeTheLeaderDiesAreAppliedOnTheSurvivors() throws Exception {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
      List<CompletableFuture<Bytes>> futures = new ArrayList<>();
      AtomicBoolean halfway = new AtomicBoolean();
      for (int i = 0; i < 2_000; i++) {
        String command = "k" + i + "=" + i;
        CompletableFuture<Bytes> f = leader.submit(Bytes.ofUtf8(command));
        f.thenRun(() -> acknowledged.add(command));
        futures.add(f);
        if (i == 1_000) {
          halfway.set(true);
          futures.get(500).get(20, TimeUnit.SECONDS);
          cluster.stop(leader.id());
        }
      }
      for (CompletableFuture<Bytes> f : futures) {
        f.handle((r, e) -> {
          assertTrue(e == null || e.getCause() instanceof RaftException || e instanceof RaftException,
              "only Raft failures: " + e);
          return null;
        }).get(20, TimeUnit.SECONDS);
      }
      assertTrue(acknowledged.size() >= 500, "some commands were acknowledged before the leader died");
      RaftServer next = cluster.awaitLeader();
      next.submit(Bytes.ofUtf8("after=1")).get(20, TimeUnit.SECONDS);
      for (RaftServer survivor : cluster.running()) {
        await().atMost(20, TimeUnit.SECONDS).until(() -> cluster.machine(survivor.id()).appliedCommands()
            .containsAll(acknowledged));
      }
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
  void proposalNotCommittedWithinTheTimeoutFailsAsIndeterminate() {
    try (TestCluster cluster = new TestCluster(3, b -> b.proposalTimeout(Duration.ofMillis(100)))) {
      RaftServer leader = cluster.awaitLeader();
      cluster.followers(leader).forEach(f -> cluster.network.disconnect(f.id()));
      IndeterminateStateException e = assertInstanceOf(IndeterminateStateException.class,
          failure(leader.submit(Bytes.ofUtf8("k=1"))));
      assertTrue(e.getMessage().contains("not committed within the proposal timeout"), e.getMessage());
      assertTrue(e.mayStillCommit());
    }
  }

  @Test
  void leaderThatLosesItsQuorumFailsPendingProposalsAsIndeterminate() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      cluster.followers(leader).forEach(f -> cluster.network.disconnect(f.id()));
      CompletableFuture<Bytes> pending = leader.submit(Bytes.ofUtf8("k=1"));
      // CheckQuorum (thesis §6.2): without a quorum for an election timeout, the leader steps down.
      IndeterminateStateException e = assertInstanceOf(IndeterminateStateException.class, failure(pending));
      assertTrue(e.getMessage().contains("lost leadership before commit"), e.getMessage());
    }
  }

  @Test
  void submitBeyondThePendingBoundFailsFastWithOverloaded() {
    try (TestCluster cluster = new TestCluster(3, b -> b.maxPendingProposals(4))) {
      RaftServer leader = cluster.awaitLeader();
      for (RaftServer follower : cluster.followers(leader)) {
        cluster.network.disconnect(follower.id());
      }
      List<CompletableFuture<Bytes>> stuck = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        stuck.add(leader.submit(Bytes.ofUtf8("x=" + i)));
      }
      CompletableFuture<Bytes> refused = leader.submit(Bytes.ofUtf8("x=5"));
      assertTrue(refused.isDone(), "refused at once, without waiting");
      OverloadedException e = assertInstanceOf(OverloadedException.class, failure(refused));
      assertTrue(e.getMessage().contains("too many pending proposals (limit 4)"), e.getMessage());
      assertTrue(!e.mayStillCommit());
    }
  }

  @Test
  void commandLargerThanTheByteBoundIsRefusedWithOverloaded() {
    try (TestCluster cluster = new TestCluster(1, b -> b.maxPendingBytes(10))) {
      RaftServer leader = cluster.awaitLeader();
      OverloadedException e = assertInstanceOf(OverloadedException.class,
          failure(leader.submit(Bytes.ofUtf8("key=a-long-value"))));
      assertTrue(e.getMessage().contains("exceeds maxPendingBytes (10)"), e.getMessage());
    }
  }

  @Test
  void failingLogStoreStopsTheNodeAndFailsPendingRequestsWithTheCause() {
    InMemoryNetwork network = new InMemoryNetwork();
    FailingLogStore store = new FailingLogStore();
    RaftServer node = RaftServer.builder().nodeId("n1").cluster(ClusterConfig.ofVoters("n1"))
        .transport(network.transport(NodeId.of("n1"))).logStore(store).stateMachine(new RecordingStateMachine())
        .tickInterval(TestCluster.TICK).build();
    try {
      await().atMost(20, TimeUnit.SECONDS).until(() -> node.status().role() == dev.pontoon.raft.Role.LEADER);
      node.submit(Bytes.ofUtf8("a=1")).join();
      store.failSyncs();
      NodeStoppedException stopped = assertInstanceOf(NodeStoppedException.class,
          failure(node.submit(Bytes.ofUtf8("a=2"))));
      assertInstanceOf(StorageException.class, stopped.getCause());
      assertEquals("disk failed", stopped.getCause().getMessage());
      NodeStoppedException later = assertInstanceOf(NodeStoppedException.class,
          failure(node.submit(Bytes.ofUtf8("a=3"))));
      assertSame(stopped.getCause(), later.getCause(), "the node stays stopped, for the same reason");
      await().atMost(20, TimeUnit.SECONDS).until(() -> threadsOf("n1") == 0 && store.closes() == 1);
    } finally {
      node.close();
    }
    assertEquals(1, store.closes(), "close after a fatal stop is idempotent");
  }

  @Test
  void closeFailsPendingRequestsAndLeavesNoThread() {
    InMemoryNetwork network = new InMemoryNetwork();
    ClusterConfig three = ClusterConfig.ofVoters("c1", "c2", "c3");
    RaftServer lonely = RaftServer.builder().nodeId("c1").cluster(three).transport(network.transport(NodeId.of("c1")))
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine()).tickInterval(TestCluster.TICK)
        .build();
    assertEquals(4, threadsOf("c1"), "loop, sync, apply and tick threads");
    CompletableFuture<Void> transfer = lonely.transferLeadership(NodeId.of("c2"));
    lonely.close();
    lonely.close();
    assertEquals(0, threadsOf("c1"));
    assertInstanceOf(RaftException.class, failure(transfer));
    assertInstanceOf(NodeStoppedException.class, failure(lonely.submit(Bytes.ofUtf8("a=1"))));
    assertInstanceOf(NodeStoppedException.class, failure(lonely.read(Bytes.ofUtf8("a"))));
  }

  @Test
  void closingTheLeaderFailsItsUncommittedProposalsWithNodeStopped() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      cluster.network.partition(Set.of(leader.id()), Set.copyOf(cluster.followers(leader).stream()
          .map(RaftServer::id).toList()));
      CompletableFuture<Bytes> pending = leader.submit(Bytes.ofUtf8("never=1"));
      cluster.stop(leader.id());
      RaftException e = assertInstanceOf(RaftException.class, failure(pending));
      assertTrue(e.mayStillCommit(), "the outcome of an appended command is unknown");
    }
  }

  @Test
  void storeThatFailsDuringRecoveryFailsBuildAndStartsNothing() {
    FailingLogStore store = new FailingLogStore();
    store.failSyncs();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    StorageException e = org.junit.jupiter.api.Assertions.assertThrows(StorageException.class,
        () -> RaftServer.builder().nodeId("r1").cluster(ClusterConfig.ofVoters("r1", "r2"))
            .transport(new InMemoryNetwork().transport(NodeId.of("r1"))).logStore(store)
            .stateMachine(new RecordingStateMachine()).bootstrapLeader(NodeId.of("r1")).meterRegistry(registry)
            .build());
    assertEquals("disk failed", e.getMessage());
    assertEquals(0, threadsOf("r1"));
    assertTrue(registry.getMeters().isEmpty(), "no meters left behind: " + registry.getMeters());
  }

  private static long threadsOf(String node) {
    String prefix = "pontoon-" + node + "-";
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }
}
