package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The store's log after a snapshot a Ready hands out: the core hands one out only when its own
 * view of the log does not hold the snapshot's last entry (Ready), so the store discards its whole
 * log too. The store can still hold that entry: a conflicting truncation the core had pending,
 * not yet handed out, is dropped when the snapshot replaces the core's log in the same batch.
 */
class SyncWorkerSnapshotInstallTest {
  private static final NodeId N1 = NodeId.of("n1");

  @Test
  void aSnapshotHandedOutReplacesTheStoresWholeLogEvenWhereTheStoreHoldsItsLastEntry() {
    InMemoryLogStore store = new InMemoryLogStore();
    List<LogEntry> entries = new ArrayList<>();
    for (long i = 1; i <= 20; i++) {
      entries.add(LogEntry.command(i, 1, Bytes.ofUtf8("e" + i)));
    }
    store.append(entries);
    store.saveHardState(new HardState(2, null));
    store.sync();
    SyncWorker sync = new SyncWorker(NodeScheduler.threads(), "test-sync", store,
        new NodeMetrics(new SimpleMeterRegistry(), "g", N1, null), readys -> { }, failure -> { });
    Snapshot snapshot = new Snapshot(new SnapshotMeta(10, 1, ClusterConfig.ofVoters("n1", "n2", "n3")), Bytes.EMPTY);

    sync.persistHere(new Ready(null, List.of(), snapshot, true, List.of(), List.of(), List.of(), List.of(), List.of()));

    assertEquals(11, store.firstIndex());
    assertEquals(10, store.lastIndex(), "entries 11..20, which the core's view no longer holds, are gone");
  }
}
