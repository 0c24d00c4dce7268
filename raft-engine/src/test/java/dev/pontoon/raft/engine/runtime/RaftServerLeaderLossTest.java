package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A leader that dies or loses its quorum leaves no submitter without an answer (§5.2, thesis §6.2). */
class RaftServerLeaderLossTest {

  @Test
  void commandsAcknowledgedBeforeTheLeaderDiesAreAppliedOnTheSurvivors() throws Exception {
    try (TestCluster cluster = new TestCluster(3)) {
      stopTheLeaderMidStreamAndCheckTheSurvivors(cluster);
    }
  }

  /**
   * Submits 2,000 commands and stops the leader after the 1,000th (once the 500th is answered):
   * every submitter gets an answer, only Raft failures among them, and every command that was
   * acknowledged is applied on every survivor once they have a new leader.
   */
  static void stopTheLeaderMidStreamAndCheckTheSurvivors(TestCluster cluster) throws Exception {
    RaftServer leader = cluster.awaitLeader();
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    List<CompletableFuture<Bytes>> futures = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String command = "k" + i + "=" + i;
      CompletableFuture<Bytes> f = leader.submit(Bytes.ofUtf8(command));
      f.thenRun(() -> acknowledged.add(command));
      futures.add(f);
      if (i == 1_000) {
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

  @Test
  void proposalNotCommittedWithinTheTimeoutFailsAsIndeterminate() {
    try (TestCluster cluster = new TestCluster(3, b -> b.proposalTimeout(Duration.ofMillis(100)))) {
      RaftServer leader = cluster.awaitLeader();
      cluster.followers(leader).forEach(f -> cluster.network.disconnect(f.id()));
      IndeterminateStateException e = assertInstanceOf(IndeterminateStateException.class,
          TestCluster.failure(leader.submit(Bytes.ofUtf8("k=1"))));
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
      IndeterminateStateException e = assertInstanceOf(IndeterminateStateException.class, TestCluster.failure(pending));
      assertTrue(e.getMessage().contains("lost leadership before commit"), e.getMessage());
    }
  }

  @Test
  void closingTheLeaderFailsItsUncommittedProposalsWithNodeStopped() {
    try (TestCluster cluster = new TestCluster(3)) {
      RaftServer leader = cluster.awaitLeader();
      cluster.network.partition(Set.of(leader.id()), Set.copyOf(cluster.followers(leader).stream()
          .map(RaftServer::id).toList()));
      long last = leader.status().lastLogIndex();
      CompletableFuture<Bytes> pending = leader.submit(Bytes.ofUtf8("never=1"));
      // Appended before the stop: a command the stop reaches first never enters the log, and is
      // answered as never appended (RaftServerStopTest).
      await().atMost(20, TimeUnit.SECONDS).until(() -> leader.status().lastLogIndex() > last);
      cluster.stop(leader.id());
      RaftException e = assertInstanceOf(RaftException.class, TestCluster.failure(pending));
      assertTrue(e.mayStillCommit(), "the outcome of an appended command is unknown");
    }
  }
}
