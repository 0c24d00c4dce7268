package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.ReadMode;
import dev.pontoon.raft.log.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A live cluster replicates, applies and reads linearizably (§5.3, §6.4). */
class RaftServerReplicationTest {

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      f.join();
      throw new AssertionError("future completed normally");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void threeNodesApplyTenThousandCommandsSubmittedBySixteenThreadsIdentically() throws Exception {
    // Elections after 1-2 s: 16 submitting threads on a shared 2-core machine must not depose the leader.
    try (TestCluster cluster = new TestCluster(3, 100, b -> b)) {
      submitFromThreadsAndCheckEveryReplica(cluster, 16, 625);
    }
  }

  /**
   * {@code threads} threads each submit {@code perThread} distinct commands to the leader; every
   * one is acknowledged, and every replica applies all of them exactly once, in the same order.
   *
   * @return the leader they were submitted to
   */
  static RaftServer submitFromThreadsAndCheckEveryReplica(TestCluster cluster, int threads, int perThread)
      throws Exception {
    RaftServer leader = cluster.awaitLeader();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<CompletableFuture<Bytes>>>> submitted = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      submitted.add(pool.submit(() -> {
        List<CompletableFuture<Bytes>> futures = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
          futures.add(leader.submit(Bytes.ofUtf8("t" + thread + "-" + i + "=" + i)));
        }
        return futures;
      }));
    }
    List<CompletableFuture<Bytes>> all = new ArrayList<>();
    for (Future<List<CompletableFuture<Bytes>>> f : submitted) {
      all.addAll(f.get(30, TimeUnit.SECONDS));
    }
    pool.shutdown();
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    int total = threads * perThread;
    await().atMost(20, TimeUnit.SECONDS).until(() -> cluster.machines.values().stream()
        .allMatch(m -> m.appliedCount() == total));
    List<String> reference = cluster.machine(leader.id()).appliedCommands();
    assertEquals(total, new HashSet<>(reference).size(), "every command applied exactly once");
    for (RecordingStateMachine m : cluster.machines.values()) {
      assertEquals(reference, m.appliedCommands(), "every replica applies the same commands in the same order");
    }
    return leader;
  }

  @Test
  void readAfterAcknowledgedWriteSeesTheWrite() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      for (int i = 0; i < 20; i++) {
        leader.submit(Bytes.ofUtf8("k=" + i)).join();
        assertEquals(Bytes.ofUtf8(String.valueOf(i)), leader.read(Bytes.ofUtf8("k")).join());
      }
    }
  }

  @Test
  void leaseReadAfterAcknowledgedWriteSeesTheWrite() {
    try (TestCluster cluster = new TestCluster(3, b -> b.readMode(ReadMode.LEASE))) {
      RaftServer leader = cluster.awaitLeader();
      for (int i = 0; i < 20; i++) {
        leader.submit(Bytes.ofUtf8("k=" + i)).join();
        assertEquals(Bytes.ofUtf8(String.valueOf(i)), leader.read(Bytes.ofUtf8("k")).join());
      }
    }
  }

  @Test
  void followerRefusesReadsAndWritesWithTheLeaderHint() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      RaftServer follower = cluster.followers(leader).get(0);
      NotLeaderException read = assertInstanceOf(NotLeaderException.class,
          failure(follower.read(Bytes.ofUtf8("k"))));
      assertEquals(leader.id(), read.leaderHint().orElseThrow());
      assertEquals(follower.id(), read.local());
      NotLeaderException write = assertInstanceOf(NotLeaderException.class,
          failure(follower.submit(Bytes.ofUtf8("k=v"))));
      assertEquals(leader.id(), write.leaderHint().orElseThrow());
      assertTrue(!write.mayStillCommit(), "a refused command was never appended: retry is safe");
    }
  }

  @Test
  void leadershipTransferMakesTheTargetLeader() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      leader.submit(Bytes.ofUtf8("a=1")).join();
      NodeId target = cluster.followers(leader).get(0).id();
      leader.transferLeadership(target).orTimeout(10, TimeUnit.SECONDS).join();
      RaftServer next = cluster.awaitLeader();
      assertEquals(target, next.id());
      assertEquals(Bytes.ofUtf8("1"), next.submit(Bytes.ofUtf8("a=2")).join());
    }
  }

  @Test
  void leaderTransferringLeadershipRefusesProposalsWithTheTargetAsHint() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      RaftServer target = cluster.followers(leader).get(0);
      cluster.network.disconnect(target.id());
      leader.transferLeadership(target.id());
      // Thesis §3.10: during a transfer the leader stops accepting client requests.
      NotLeaderException e = assertInstanceOf(NotLeaderException.class, failure(leader.submit(Bytes.ofUtf8("a=1"))));
      assertEquals(target.id(), e.leaderHint().orElseThrow());
      assertTrue(!e.mayStillCommit());
    }
  }

  @Test
  void transferToANonVoterFailsWithTheReason() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      Throwable e = failure(leader.transferLeadership(NodeId.of("stranger")));
      assertInstanceOf(IllegalArgumentException.class, e);
      assertTrue(e.getMessage().contains("not a voter"), e.getMessage());
    }
  }

  @Test
  void statusShowsTheLeadersViewOfEachFollower() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      leader.submit(Bytes.ofUtf8("a=1")).join();
      await().atMost(Duration.ofSeconds(10)).until(() -> leader.status().followers().values().stream()
          .allMatch(p -> p.lag() == 0 && p.matchIndex() == leader.status().lastLogIndex()));
      RaftNodeStatus status = leader.status();
      assertEquals(Role.LEADER, status.role());
      assertEquals(leader.id(), status.leader());
      assertEquals(2, status.followers().size());
      assertTrue(status.commitIndex() >= 2 && status.lastApplied() <= status.commitIndex());
      assertEquals(cluster.config, status.config());
    }
  }
}
