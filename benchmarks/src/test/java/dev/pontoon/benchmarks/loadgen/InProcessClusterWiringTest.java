package dev.pontoon.benchmarks.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.benchmarks.loadgen.InProcessCluster.StoreKind;
import dev.pontoon.benchmarks.loadgen.InProcessCluster.TransportKind;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code --loop-on-io-thread}: the in-process cluster's nodes run their event loops on their Netty
 * transports' I/O threads (no loop thread of their own) and still commit every write; without it,
 * each node has its loop thread.
 */
class InProcessClusterWiringTest {

  /**
   * Starts a 3-node Netty cluster with or without the flag, commits 50 writes through its leader,
   * and returns the names of the loop threads it started (threads of other tests left out).
   */
  private static Set<String> loopThreadsOfAClusterThatCommits(boolean loopOnIoThread) throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (InProcessCluster cluster = new InProcessCluster(3, TransportKind.NETTY, StoreKind.ROCKSDB, loopOnIoThread)) {
      RaftServer leader = cluster.awaitLeader(Duration.ofSeconds(30));
      List<CompletableFuture<Bytes>> writes = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        writes.add(leader.submit(Bytes.ofUtf8("w" + i)));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t)).map(Thread::getName)
          .filter(n -> n.matches("pontoon-n\\d-loop")).collect(Collectors.toSet());
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void withTheFlagEachNodesLoopRunsOnItsTransportsIoThreadAndWritesCommit() throws Exception {
    assertEquals(Set.of(), loopThreadsOfAClusterThatCommits(true), "no node has a loop thread of its own");
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void withoutTheFlagEachNodeHasItsLoopThread() throws Exception {
    assertEquals(Set.of("pontoon-n1-loop", "pontoon-n2-loop", "pontoon-n3-loop"),
        loopThreadsOfAClusterThatCommits(false));
  }

  @Test
  void theInMemoryTransportHasNoIoThreadToRunALoopOn() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> new InProcessCluster(3, TransportKind.MEMORY, StoreKind.MEMORY, true));
    assertTrue(refused.getMessage().contains("needs the Netty transport"), refused.getMessage());
  }
}
