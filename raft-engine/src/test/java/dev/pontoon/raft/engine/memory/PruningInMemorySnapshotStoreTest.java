package dev.pontoon.raft.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.SnapshotStore.StoredSnapshot;
import dev.pontoon.raft.storage.SnapshotStoreContract;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store that prunes ({@link InMemorySnapshotStore#pruning}) passes the
 * {@link SnapshotStoreContract} keeping only its newest snapshot, and a pruned snapshot is gone
 * once no stream over it is open.
 */
class PruningInMemorySnapshotStoreTest extends SnapshotStoreContract {

  @Override
  protected SnapshotStore newStore() {
    return InMemorySnapshotStore.pruning(1);
  }

  @Test
  void aPrunedSnapshotIsGoneOnceItsLastStreamIsClosed() throws Exception {
    store.save(snapshot(10, 1));
    StoredSnapshot s10 = store.newest().orElseThrow();
    InputStream held = s10.open();
    commitNewer(10); // 20 to 50
    s10.open().close(); // readable while a stream over it is open (rule 2)
    held.close();
    assertThrows(NoSuchFileException.class, s10::open); // then gone (rule 3)
    assertEquals(50, store.newest().orElseThrow().meta().lastIncludedIndex());
  }

  @Test
  void keepingTwoLeavesThePreviousSnapshotReadable() throws Exception {
    SnapshotStore two = InMemorySnapshotStore.pruning(2);
    two.save(snapshot(10, 1));
    StoredSnapshot s10 = two.newest().orElseThrow();
    two.save(snapshot(20, 1));
    s10.open().close();
    two.save(snapshot(30, 1));
    assertThrows(NoSuchFileException.class, s10::open);
  }
}
