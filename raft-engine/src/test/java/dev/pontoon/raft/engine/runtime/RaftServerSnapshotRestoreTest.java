package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** §7: a node restarts from its latest snapshot, then applies only the entries after it, once. */
class RaftServerSnapshotRestoreTest {

  private static final NodeId S1 = NodeId.of("s1");
  private static final ClusterConfig ONE = ClusterConfig.ofVoters("s1");

  private static RaftServer start(InMemoryNetwork network, InMemoryLogStore log, InMemorySnapshotStore snapshots,
      RecordingStateMachine machine, ManualTickSource ticks) {
    return RaftServer.builder().nodeId(S1).cluster(ONE).transport(network.transport(S1)).logStore(log)
        .snapshotStore(snapshots).stateMachine(machine).tickSource(ticks).build();
  }

  @Test
  void restartRestoresTheSnapshotThenAppliesOnlyLaterEntriesOnce() throws Exception {
    InMemoryNetwork network = new InMemoryNetwork();
    ManualTickSource ticks = new ManualTickSource();
    InMemoryLogStore log = new InMemoryLogStore();
    RaftServer first = start(network, log, new InMemorySnapshotStore(), new RecordingStateMachine(), ticks);
    ticks.tick(100);
    await().atMost(10, TimeUnit.SECONDS).until(() -> first.status().commitIndex() >= 1);
    for (int i = 0; i < 10; i++) {
      first.submit(Bytes.ofUtf8("k" + i + "=" + i)).get(10, TimeUnit.SECONDS);
    }
    first.close();

    InMemoryLogStore crashed = log.durableCopy();
    long snapshotIndex = crashed.lastIndex() - 4;
    RecordingStateMachine upToSnapshot = new RecordingStateMachine();
    for (LogEntry e : crashed.entries(1, snapshotIndex + 1, Long.MAX_VALUE)) {
      if (e.kind() == EntryKind.COMMAND) {
        upToSnapshot.apply(e.index(), e.payload());
      }
    }
    InMemorySnapshotStore snapshots = new InMemorySnapshotStore();
    snapshots.save(new Snapshot(new SnapshotMeta(snapshotIndex, crashed.term(snapshotIndex), ONE),
        upToSnapshot.snapshotBytes()));
    crashed.truncatePrefix(snapshotIndex, crashed.term(snapshotIndex));

    RecordingStateMachine fresh = new RecordingStateMachine();
    ManualTickSource ticksAgain = new ManualTickSource();
    RaftServer again = start(network, crashed, snapshots, fresh, ticksAgain);
    try {
      assertEquals(snapshotIndex, again.status().snapshotIndex());
      // At least the snapshot: the node goes on at once to apply the entries after it up to the
      // commit index its hard state saved, before it hears from any leader.
      assertTrue(again.status().lastApplied() >= snapshotIndex);
      ticksAgain.tick(100);
      await().atMost(10, TimeUnit.SECONDS).until(() -> fresh.appliedCount() == 4);
      List<Long> expected = IntStream.rangeClosed(1, 4).mapToObj(i -> snapshotIndex + i).toList();
      assertEquals(expected, fresh.appliedIndexes(), "only entries after the snapshot, each once, in order");
      Map<String, String> all = IntStream.range(0, 10).boxed()
          .collect(Collectors.toMap(i -> "k" + i, i -> String.valueOf(i)));
      assertEquals(all, fresh.values());
    } finally {
      again.close();
    }
  }
}
