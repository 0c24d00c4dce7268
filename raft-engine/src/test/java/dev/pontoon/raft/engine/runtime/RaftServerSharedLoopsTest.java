package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Members in one JVM on {@link NodeScheduler#sharedLoopThreads()}: a leader's event-loop thread
 * runs its idle followers' batches itself, and replication, failover and stopping behave exactly
 * as with a thread per loop.
 */
class RaftServerSharedLoopsTest {

  private static TestCluster sharedCluster() {
    // Elections after 1-2 s: submitting threads on a shared 2-core machine must not depose the leader.
    return new TestCluster(3, 100, b -> b.scheduler(NodeScheduler.sharedLoopThreads()).applyOnEventLoop(true));
  }

  @Test
  void followersBatchesRunOnTheLeadersLoopThreadAndEveryReplicaAppliesTheSameCommands() throws Exception {
    int threads = 8;
    int perThread = 500;
    try (TestCluster cluster = sharedCluster()) {
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
          .allMatch(m -> m.appliedCount() >= total));
      List<String> reference = cluster.machine(leader.id()).appliedCommands();
      assertEquals(total, new HashSet<>(reference).size(), "every command applied exactly once");
      for (RecordingStateMachine m : cluster.machines.values()) {
        assertEquals(reference, m.appliedCommands(), "every replica applies the same commands in the same order");
      }
      String leaderLoop = "pontoon-" + leader.id().value() + "-loop";
      for (RaftServer follower : cluster.followers(leader)) {
        assertTrue(cluster.machine(follower.id()).applyThreads().contains(leaderLoop),
            follower.id() + " applied only on " + cluster.machine(follower.id()).applyThreads()
                + ", never on the leader's loop thread: the loops were not shared");
      }
    }
  }

  @Test
  void commandsAcknowledgedBeforeTheLeaderClosesAreAppliedOnTheSurvivors() throws Exception {
    try (TestCluster cluster = sharedCluster()) {
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
          // Closing waits for the leader's batches wherever they run, followers' threads included.
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
      assertTrue(acknowledged.size() >= 500, "some commands were acknowledged before the leader closed");
      RaftServer next = cluster.awaitLeader();
      next.submit(Bytes.ofUtf8("after=1")).get(20, TimeUnit.SECONDS);
      for (RaftServer survivor : cluster.running()) {
        await().atMost(20, TimeUnit.SECONDS).until(() -> cluster.machine(survivor.id()).appliedCommands()
            .containsAll(acknowledged));
      }
    }
  }
}
