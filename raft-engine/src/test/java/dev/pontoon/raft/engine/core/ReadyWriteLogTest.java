package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Ready#writeLogTo} carries a Ready's log changes into a store in the order its contract names. */
class ReadyWriteLogTest {

  private static Ready ready(HardState hardState, List<LogEntry> entries, Snapshot snapshot) {
    return new Ready(hardState, entries, snapshot, true, List.of(), List.of(), List.of(), List.of(), List.of());
  }

  private static LogEntry entry(long index, long term) {
    return LogEntry.command(index, term, Bytes.ofUtf8("e" + index + "t" + term));
  }

  @Test
  void entriesStartingInsideTheLogReplaceTheConflictingSuffix() {
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(List.of(entry(1, 1), entry(2, 1), entry(3, 1)));
    ready(null, List.of(entry(2, 2)), null).writeLogTo(store);
    assertEquals(2, store.lastIndex());
    assertEquals(List.of(entry(1, 1), entry(2, 2)), store.entries(1, 3, Long.MAX_VALUE));
  }

  @Test
  void aSnapshotDiscardsTheLogBeforeTheEntriesThatFollowItAreAppended() {
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(List.of(entry(1, 1), entry(2, 1)));
    Snapshot snapshot = new Snapshot(new SnapshotMeta(5, 3, ClusterConfig.ofVoters("n1")), Bytes.EMPTY);
    ready(null, List.of(entry(6, 3)), snapshot).writeLogTo(store);
    assertEquals(6, store.firstIndex());
    assertEquals(6, store.lastIndex());
    assertEquals(3, store.term(5));
  }

  @Test
  void hardStateIsSavedButNothingIsSynced() {
    InMemoryLogStore store = new InMemoryLogStore();
    HardState voted = new HardState(4, NodeId.of("n2"));
    ready(voted, List.of(entry(1, 4)), null).writeLogTo(store);
    assertEquals(voted, store.loadHardState());
    InMemoryLogStore afterCrash = store.durableCopy();
    assertEquals(HardState.INITIAL, afterCrash.loadHardState());
    assertEquals(0, afterCrash.lastIndex());
  }
}
