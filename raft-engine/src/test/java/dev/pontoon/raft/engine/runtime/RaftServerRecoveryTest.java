package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.SnapshotStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Recovery reconciles the snapshot store with the log (Figure 13 steps 6-7), and a node never
 * snapshots state its own log has not made durable, so that every crash leaves stores a node can
 * restart from.
 */
class RaftServerRecoveryTest {

  private static final int PATIENCE_SECONDS = 20;
  private final List<RaftServer> servers = new ArrayList<>();
  private final FailingLogStore leaderLog = new FailingLogStore();

  @AfterEach
  void closeAll() {
    leaderLog.resumeSyncs();
    servers.forEach(RaftServer::close);
  }

  /**
   * A crash after a snapshot was saved but before the log's matching truncation (or the entries it
   * covers) was synced leaves a log that stops short of the snapshot. Recovery discards that log,
   * as InstallSnapshot does (Figure 13 step 7), and the node goes on from the snapshot: its next
   * entry has the index after the snapshot's last one.
   */
  @Test
  void restartWithASnapshotAheadOfTheLogDiscardsTheLogAndServesFromTheNextIndex() throws Exception {
    ClusterConfig one = ClusterConfig.ofVoters("r1");
    InMemoryLogStore log = new InMemoryLogStore();
    log.saveHardState(new HardState(2, NodeId.of("r1")));
    log.append(List.of(LogEntry.command(1, 1, Bytes.ofUtf8("k=1")), LogEntry.command(2, 1, Bytes.ofUtf8("k=2")),
        LogEntry.command(3, 1, Bytes.ofUtf8("k=3"))));
    log.sync();
    RecordingStateMachine atFifteen = new RecordingStateMachine();
    atFifteen.apply(15, Bytes.ofUtf8("k=15"));
    InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    snapshots.save(new Snapshot(new SnapshotMeta(15, 2, one), atFifteen.snapshotBytes()));
    RecordingStateMachine machine = new RecordingStateMachine();
    ManualTickSource ticks = new ManualTickSource();

    RaftServer node = RaftServer.builder().nodeId("r1").cluster(one)
        .transport(new InMemoryNetwork().transport(NodeId.of("r1"))).logStore(log).snapshotStore(snapshots)
        .stateMachine(machine).tickSource(ticks).build();
    servers.add(node);

    assertEquals(16, log.firstIndex(), "the log now starts right after the snapshot");
    assertEquals(15, log.lastIndex());
    assertEquals(2, log.term(15));
    assertEquals(16, log.durableCopy().firstIndex(), "and the discard is durable");
    assertEquals(15, node.status().snapshotIndex());
    assertEquals(15, node.status().lastApplied());
    ticks.tick(100);
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> node.status().role() == Role.LEADER);
    assertEquals(Bytes.ofUtf8("15"), node.submit(Bytes.ofUtf8("k=after")).get(PATIENCE_SECONDS, TimeUnit.SECONDS),
        "the state is the snapshot's");
    assertEquals(16, log.entries(16, 17, Long.MAX_VALUE).get(0).index(), "the new leader's no-op");
    assertEquals(List.of(17L), machine.appliedIndexes(), "the first command goes right after it");
  }

  /**
   * A log compacted behind a snapshot the snapshot store no longer holds cannot be repaired: the
   * entries between are nowhere. Recovery says so, naming both stores, and starts nothing.
   */
  @Test
  void restartWithALogThatStartsAfterTheLatestSnapshotFailsNamingTheGap() {
    InMemoryLogStore log = new InMemoryLogStore();
    log.append(List.of(LogEntry.command(1, 1, Bytes.ofUtf8("k=1"))));
    log.truncatePrefix(30, 1);
    log.sync();

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> RaftServer.builder().nodeId("g1")
        .cluster(ClusterConfig.ofVoters("g1")).transport(new InMemoryNetwork().transport(NodeId.of("g1")))
        .logStore(log).snapshotStore(new InMemorySnapshotStore()).stateMachine(new RecordingStateMachine())
        .tickSource(new ManualTickSource()).build());

    assertEquals("g1: the log starts at index 31 but the latest snapshot is missing: entries 1 to 30 are in neither"
        + " store; was the snapshot store durable?", e.getMessage());
    assertEquals(0, TestCluster.threadsOf("g1"));
  }

  /** A snapshot store that records, at each save, how far the watched log store was durable. */
  private static final class WatchingSnapshotStore implements SnapshotStore {
    private final InMemorySnapshotStore delegate = new InMemorySnapshotStore();
    private final FailingLogStore log;
    final List<String> aheadOfTheLog = new CopyOnWriteArrayList<>();

    WatchingSnapshotStore(FailingLogStore log) {
      this.log = log;
    }

    @Override
    public SnapshotSink create(SnapshotMeta meta) {
      SnapshotSink sink = delegate.create(meta);
      return new SnapshotSink() {
        @Override
        public java.io.OutputStream stream() {
          return sink.stream();
        }

        @Override
        public void commit() {
          long durable = log.durableLastIndex();
          if (meta.lastIncludedIndex() > durable) {
            aheadOfTheLog.add("snapshot at " + meta.lastIncludedIndex() + " saved while the log was durable to "
                + durable);
          }
          sink.commit();
        }

        @Override
        public void close() {
          sink.close();
        }
      };
    }

    @Override
    public Optional<StoredSnapshot> newest() {
      return delegate.newest();
    }
  }

  /**
   * A leader applies entries its followers made durable while its own write is still under way
   * (thesis §10.2.1). It must not save a snapshot of them before that write lands: a crash would
   * leave the snapshot ahead of its log. The snapshot is saved once the write is durable.
   */
  @Test
  void snapshotNeverCoversAnIndexAboveThisNodesDurableLog() throws Exception {
    ClusterConfig three = ClusterConfig.ofVoters("n1", "n2", "n3");
    InMemoryNetwork network = new InMemoryNetwork();
    WatchingSnapshotStore leaderSnapshots = new WatchingSnapshotStore(leaderLog);
    for (NodeId id : three.voters()) {
      boolean leader = id.equals(NodeId.of("n1"));
      LogStore log = leader ? leaderLog : new InMemoryLogStore();
      SnapshotStore snapshots = leader ? leaderSnapshots : new InMemorySnapshotStore();
      servers.add(RaftServer.builder().nodeId(id).cluster(three).transport(network.transport(id)).logStore(log)
          .snapshotStore(snapshots).stateMachine(new RecordingStateMachine()).tickSource(new ManualTickSource())
          .bootstrapLeader(NodeId.of("n1")).snapshotEvery(10).build());
    }
    RaftServer leader = servers.get(0);
    leader.submit(Bytes.ofUtf8("a=0")).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    // a=0 commits on the followers' acknowledgements, so the leader's own sync of it may still be
    // under way: wait for it before holding every later one.
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> leaderLog.durableLastIndex() == 2);
    leaderLog.stallSyncs();
    List<CompletableFuture<Bytes>> committed = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      committed.add(leader.submit(Bytes.ofUtf8("a=" + i)));
    }
    CompletableFuture.allOf(committed.toArray(CompletableFuture[]::new)).get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    // Index 1 is the bootstrap entry, a=0 is at 2, a=1..a=20 at 3..22.
    assertEquals(22, leader.status().lastApplied(), "applied on the followers' acknowledgements alone");
    assertEquals(2, leaderLog.durableLastIndex(), "while the leader's own write is held");

    await("no snapshot while the leader's write is held").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> {
          assertEquals(List.of(), leaderSnapshots.aheadOfTheLog);
          assertEquals(Optional.empty(), leaderSnapshots.latest().map(Snapshot::meta));
        });

    leaderLog.resumeSyncs();

    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> leaderSnapshots.latest().isPresent());
    assertEquals(List.of(), leaderSnapshots.aheadOfTheLog);
    // The capture happens at the first apply batch past snapshotEvery; how the 20 commands split
    // into apply batches depends on thread timing, so the index is any in [10, 22].
    long saved = leaderSnapshots.latest().orElseThrow().meta().lastIncludedIndex();
    assertTrue(saved >= 10 && saved <= 22, "the state captured while the write was held (at " + saved
        + ") is saved once the write landed");
  }
}
