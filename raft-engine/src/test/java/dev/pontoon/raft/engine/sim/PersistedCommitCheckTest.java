package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The check a crash runs on what it left on disk: the commit index saved with the hard state
 * never exceeds the durable log and never names an entry that differs from the committed one.
 * Proves that the check bites, on disks built to break it, and stays quiet on a sound one.
 */
class PersistedCommitCheckTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  private static InMemoryLogStore disk(HardState hardState, long... terms) {
    InMemoryLogStore store = new InMemoryLogStore();
    for (int i = 0; i < terms.length; i++) {
      store.append(List.of(LogEntry.command(i + 1, terms[i], Bytes.ofUtf8("e" + (i + 1)))));
    }
    store.saveHardState(hardState);
    store.sync();
    return store;
  }

  /** Invariants that saw n2 commit its log up to {@code commit} (entries of {@code terms}). */
  private static Invariants sawCommitted(long commit, long... terms) {
    Invariants invariants = new Invariants(2);
    InMemoryLogStore n2 = disk(new HardState(terms[terms.length - 1], null, commit), terms);
    RaftCore core = new RaftCore(N2, ClusterConfig.ofVoters(Set.of(N1, N2)), RaftConfig.defaults(), n2,
        n2.loadHardState(), 0, new SplittableRandom(1));
    invariants.afterStep(1, core, n2);
    return invariants;
  }

  @Test
  void aPersistedCommitIndexPastTheDurableLogIsReported() {
    Invariants invariants = sawCommitted(3, 1, 1, 1);

    invariants.crashLeft(N1, disk(new HardState(1, null, 3), 1, 1));

    assertEquals(1, invariants.violations().size());
    assertTrue(invariants.violations().get(0) instanceof Violation.PersistedCommitInvalid);
  }

  @Test
  void aPersistedCommitIndexNamingAnotherEntryThanTheCommittedOneIsReported() {
    Invariants invariants = sawCommitted(2, 1, 1);

    invariants.crashLeft(N1, disk(new HardState(2, null, 2), 1, 2));

    assertEquals(1, invariants.violations().size());
    assertTrue(invariants.violations().get(0).toString().contains("holds term 2"), invariants.violations().toString());
  }

  @Test
  void aPersistedCommitIndexThatLagsBehindIsFine() {
    Invariants invariants = sawCommitted(3, 1, 1, 1);

    invariants.crashLeft(N1, disk(new HardState(1, null, 1), 1, 1, 1));

    assertEquals(List.of(), invariants.violations());
  }
}
