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

  /** Names of the running loop threads that are not in {@code before} (threads of other tests). */
  private static Set<String> loopThreadsSince(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t)).map(Thread::getName)
        .filter(n -> n.matches("pontoon-n\\d-loop")).collect(Collectors.toSet());
  }

  private static void commitWrites(InProcessCluster cluster) throws Exception {
    RaftServer leader = cluster.awaitLeader(Duration.ofSeconds(30));
    List<CompletableFuture<Bytes>> writes = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      writes.add(leader.submit(Bytes.ofUtf8("w" + i)));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void withTheFlagEachNodesLoopRunsOnItsTransportsIoThreadAndWritesCommit() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (InProcessCluster cluster = new InProcessCluster(3, TransportKind.NETTY, StoreKind.ROCKSDB, true)) {
      commitWrites(cluster);
      assertEquals(Set.of(), loopThreadsSince(before), "no node has a loop thread of its own");
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void withoutTheFlagEachNodeHasItsLoopThread() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (InProcessCluster cluster = new InProcessCluster(3, TransportKind.NETTY, StoreKind.ROCKSDB, false)) {
      commitWrites(cluster);
      Set<String> loops = loopThreadsSince(before);
      assertEquals(Set.of("pontoon-n1-loop", "pontoon-n2-loop", "pontoon-n3-loop"), loops);
    }
  }

  @Test
  void theInMemoryTransportHasNoIoThreadToRunALoopOn() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> new InProcessCluster(3, TransportKind.MEMORY, StoreKind.MEMORY, true));
    assertTrue(refused.getMessage().contains("needs the Netty transport"), refused.getMessage());
  }
}
