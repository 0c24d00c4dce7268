package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.ForwardingLogStore;
import dev.pontoon.raft.storage.LogStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which thread writes the log: a leader writes on its sync thread, in parallel with replication
 * (thesis §10.2.1), unless told to write on its loop; a follower, which has nothing to send before
 * its write is durable, writes on its loop and saves two thread hand-offs per write.
 */
class RaftServerWriteThreadTest {

  private static final NodeId N1 = NodeId.of("n1");

  /** Records the name of every thread that appends or syncs. */
  private static final class ThreadRecordingLogStore extends ForwardingLogStore {
    private final InMemoryLogStore disk = new InMemoryLogStore();
    final Set<String> appendThreads = ConcurrentHashMap.newKeySet();
    final Set<String> syncThreads = ConcurrentHashMap.newKeySet();

    void forget() {
      appendThreads.clear();
      syncThreads.clear();
    }

    @Override
    protected LogStore delegate() {
      return disk;
    }

    @Override
    public void append(List<LogEntry> entries) {
      appendThreads.add(Thread.currentThread().getName());
      super.append(entries);
    }

    @Override
    public void sync() {
      syncThreads.add(Thread.currentThread().getName());
      super.sync();
    }
  }

  private static Map<NodeId, ThreadRecordingLogStore> writeThreeCommands(boolean leaderOnLoop) throws Exception {
    Map<NodeId, ThreadRecordingLogStore> stores = new ConcurrentHashMap<>();
    try (TestCluster cluster = new TestCluster(3, b -> b.bootstrapLeader(N1).leaderWritesOnEventLoop(leaderOnLoop))) {
      // The cluster's own stores are replaced by recording ones: restart every node on one.
      for (NodeId id : List.copyOf(cluster.servers.keySet())) {
        cluster.stop(id);
      }
      for (NodeId id : cluster.config.voters()) {
        ThreadRecordingLogStore store = new ThreadRecordingLogStore();
        stores.put(id, store);
        cluster.start(id, store, new InMemorySnapshotStore());
      }
      // build() itself writes a bootstrap leader's first entries, on the caller's thread.
      stores.values().forEach(ThreadRecordingLogStore::forget);
      RaftServer leader = cluster.server("n1");
      for (int i = 0; i < 3; i++) {
        leader.submit(Bytes.ofUtf8("k=" + i)).get(20, TimeUnit.SECONDS);
      }
      long last = leader.status().lastLogIndex();
      await().atMost(Duration.ofSeconds(20)).until(() -> cluster.running().stream()
          .allMatch(s -> s.status().lastApplied() >= last));
    }
    return stores;
  }

  @Test
  void followersWriteOnTheirEventLoopAndTheLeaderOnItsSyncThread() throws Exception {
    Map<NodeId, ThreadRecordingLogStore> stores = writeThreeCommands(false);

    assertEquals(Set.of("pontoon-n1-sync"), stores.get(N1).appendThreads);
    assertEquals(Set.of("pontoon-n1-sync"), stores.get(N1).syncThreads);
    for (String follower : List.of("n2", "n3")) {
      ThreadRecordingLogStore store = stores.get(NodeId.of(follower));
      assertEquals(Set.of("pontoon-" + follower + "-loop"), store.appendThreads, follower);
      assertEquals(Set.of("pontoon-" + follower + "-loop"), store.syncThreads, follower);
    }
  }

  @Test
  void aLeaderToldToWritesOnItsEventLoopToo() throws Exception {
    Map<NodeId, ThreadRecordingLogStore> stores = writeThreeCommands(true);

    assertEquals(Set.of("pontoon-n1-loop"), stores.get(N1).appendThreads);
    assertEquals(Set.of("pontoon-n1-loop"), stores.get(N1).syncThreads);
  }
}
