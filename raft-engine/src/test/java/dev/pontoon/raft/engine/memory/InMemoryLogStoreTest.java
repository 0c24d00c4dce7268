package dev.pontoon.raft.engine.memory;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.LogStoreContract;
import org.junit.jupiter.api.Test;

/**
 * The in-memory store passes the {@link LogStoreContract}; its "restart" is
 * {@link InMemoryLogStore#durableCopy()}, which models a crash by keeping only what was synced.
 */
class InMemoryLogStoreTest extends LogStoreContract {

  @Override
  protected LogStore newStore() {
    return new InMemoryLogStore();
  }

  @Override
  protected boolean isDurable() {
    return true;
  }

  @Override
  protected LogStore reopen(LogStore store) {
    store.close();
    return ((InMemoryLogStore) store).durableCopy();
  }

  @Test
  void durableCopyLosesEverythingWrittenAfterTheLastSync() {
    InMemoryLogStore memory = (InMemoryLogStore) store;
    memory.saveHardState(new HardState(1, NodeId.of("n1")));
    memory.append(entries(1, 3, 1));
    memory.sync();
    memory.saveHardState(new HardState(2, null));
    memory.truncateSuffix(2);
    memory.append(entries(2, 4, 2));
    memory.truncatePrefix(1, 1);

    InMemoryLogStore crashed = memory.durableCopy();

    assertAll(
        () -> assertEquals(1, crashed.firstIndex()),
        () -> assertEquals(entries(1, 3, 1), crashed.entries(1, 4, Long.MAX_VALUE)),
        () -> assertEquals(new HardState(1, NodeId.of("n1")), crashed.loadHardState()));
  }

  @Test
  void syncReplaysEveryWriteInCallOrderOnTheDurableImage() {
    InMemoryLogStore memory = (InMemoryLogStore) store;
    memory.append(entries(1, 5, 1));
    memory.truncateSuffix(4);
    memory.append(entries(4, 6, 2));
    memory.truncatePrefix(2, 1);
    memory.saveHardState(new HardState(2, NodeId.of("n2")));

    memory.sync();
    InMemoryLogStore restarted = memory.durableCopy();

    assertAll(
        () -> assertEquals(3, restarted.firstIndex()),
        () -> assertEquals(memory.entries(3, 7, Long.MAX_VALUE), restarted.entries(3, 7, Long.MAX_VALUE)),
        () -> assertEquals(1, restarted.term(2)),
        () -> assertEquals(new HardState(2, NodeId.of("n2"), 2), restarted.loadHardState(),
            "the commit index is never below the compacted prefix"));
  }

  @Test
  void aProcessCrashKeepsItsKeptWritesReadableButNotDurable() {
    InMemoryLogStore memory = (InMemoryLogStore) store;
    memory.append(entries(1, 2, 1));
    memory.sync();
    memory.saveHardState(new HardState(2, NodeId.of("n2")));
    memory.append(entries(3, 3, 2));
    memory.append(entries(4, 4, 2));
    memory.append(entries(5, 5, 2));

    InMemoryLogStore restarted = memory.processCrashCopy(3);

    assertAll(
        () -> assertEquals(4, restarted.lastIndex(), "the first three writes are readable"),
        () -> assertEquals(new HardState(2, NodeId.of("n2")), restarted.loadHardState()),
        () -> assertEquals(3, restarted.unsyncedWrites(), "and still unsynced"),
        () -> assertEquals(2, restarted.durableCopy().lastIndex(), "a machine crash now may lose them all"),
        () -> assertEquals(HardState.INITIAL, restarted.durableCopy().loadHardState()),
        () -> assertEquals(3, restarted.crashCopy(2).lastIndex(), "or keep a prefix of them"));
  }

  @Test
  void aSyncAfterAProcessCrashMakesWhatTheCrashKeptDurable() {
    InMemoryLogStore memory = (InMemoryLogStore) store;
    memory.append(entries(1, 2, 1));
    memory.append(entries(3, 3, 1));
    memory.saveHardState(new HardState(3, null));
    InMemoryLogStore restarted = memory.processCrashCopy(1);

    restarted.sync();

    InMemoryLogStore afterMachineCrash = restarted.durableCopy();
    assertAll(
        () -> assertEquals(2, afterMachineCrash.lastIndex(), "the first of two appends in one run was kept"),
        () -> assertEquals(HardState.INITIAL, afterMachineCrash.loadHardState(), "the hard state was not"),
        () -> assertEquals(0, restarted.unsyncedWrites()));
  }
}
