package dev.pontoon.raft.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import org.junit.jupiter.api.Test;

class InMemorySnapshotStoreTest {

  private static Snapshot at(long index) {
    return new Snapshot(new SnapshotMeta(index, 1, ClusterConfig.ofVoters("n1")), Bytes.ofUtf8("s" + index));
  }

  @Test
  void newStoreHasNoSnapshot() {
    assertTrue(new InMemorySnapshotStore().latest().isEmpty());
  }

  @Test
  void keepsTheNewestAndIgnoresAnOlderSave() {
    InMemorySnapshotStore store = new InMemorySnapshotStore();
    store.save(at(5));
    store.save(at(3));
    assertEquals(at(5), store.latest().orElseThrow());
    store.save(at(9));
    assertEquals(at(9), store.latest().orElseThrow());
  }
}
