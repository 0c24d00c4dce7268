package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RequestVote;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The commit index kept with the hard state (etcd's {@code HardState.Commit}): handed out in
 * {@link Ready#hardState()} when it advances, never with a sync of its own, and the start of a
 * restarted core, clamped to what its log holds. Figure 2 makes {@code commitIndex} volatile; the
 * saved one is a hint that only lets a restarted node apply what it knew committed before it hears
 * from a leader.
 */
class CommitIndexPersistenceTest {

  private static RaftCore restarted(HardState hardState, long appliedIndex, long... terms) {
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(Fixtures.entries(terms));
    store.saveHardState(hardState);
    store.sync();
    return new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), store, store.loadHardState(), appliedIndex,
        new SplittableRandom(7));
  }

  /** A restarted node hands out the entries up to its saved commit index at once, before any leader speaks (etcd). */
  @Test
  void restartedCoreAppliesUpToTheSavedCommitIndexBeforeHearingFromALeader() {
    RaftCore core = restarted(new HardState(2, N2, 3), 0, 1, 1, 2, 2, 2);

    Ready ready = core.ready();

    assertAll(
        () -> assertEquals(3, core.commitIndex()),
        () -> assertEquals(3, core.status().commitIndex()),
        () -> assertEquals(Fixtures.entries(1, 1, 2), ready.committedEntries()),
        () -> assertNull(ready.hardState(), "nothing changed: nothing to write"),
        () -> assertTrue(ready.sendNow().isEmpty() && ready.sendAfterSync().isEmpty()));
  }

  /** A hint past the log (a store that broke the call order, or a hand-edited one) is clamped to the last index. */
  @Test
  void savedCommitIndexPastTheLogIsClampedToTheLastIndex() {
    RaftCore core = restarted(new HardState(2, null, 9), 0, 1, 1, 2);

    assertAll(
        () -> assertEquals(3, core.commitIndex()),
        () -> assertEquals(3, core.ready().committedEntries().size()));
  }

  /** A hint behind what the state machine already holds (a snapshot) starts at the applied index. */
  @Test
  void savedCommitIndexBelowTheAppliedIndexStartsAtTheAppliedIndex() {
    RaftCore core = restarted(new HardState(2, null, 1), 4, 1, 1, 2, 2, 2);

    assertAll(
        () -> assertEquals(4, core.commitIndex()),
        () -> assertFalse(core.hasReady(), "entries up to the applied index are not handed out again"));
  }

  /**
   * A commit index that advanced alone is handed out in the hard state without asking for a sync:
   * only term, vote and log are persistent state (Figure 2), so it rides with the next sync.
   */
  @Test
  void commitIndexThatAdvancedAloneIsHandedOutWithoutASync() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.store(1, null, 1, 1, 1));
    c.step(new AppendEntries(N2, N1, 1, 3, 1, List.of(), 0, 1));
    c.persist();

    c.step(new AppendEntries(N2, N1, 1, 3, 1, List.of(), 2, 2));
    Ready ready = c.core.ready();

    assertAll(
        () -> assertEquals(new HardState(1, null, 2), ready.hardState()),
        () -> assertFalse(ready.mustSync()),
        () -> assertEquals(Fixtures.entries(1, 1), ready.committedEntries()));
  }

  /** A term change still asks for a sync, and its hard state carries the commit index known then. */
  @Test
  void termChangeAsksForASyncAndCarriesTheCommitIndex() {
    RaftCore core = restarted(new HardState(1, null, 2), 0, 1, 1, 1);
    core.ready();

    core.step(new RequestVote(N2, N1, 5, 3, 1, false, false));
    Ready ready = core.ready();

    assertAll(
        () -> assertEquals(5, ready.hardState().currentTerm()),
        () -> assertEquals(2, ready.hardState().commitIndex()),
        () -> assertTrue(ready.mustSync()));
  }

  /** The commit index in a Ready's hard state never names an entry not handed out in it or before. */
  @Test
  void handedOutCommitIndexNeverPassesTheEntriesHandedOut() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, Fixtures.plain(), Fixtures.store(1, null, 1));
    c.step(new AppendEntries(N2, N1, 1, 1, 1, Fixtures.entries(1, 1, 1).subList(1, 3), 3, 1));

    Ready ready = c.core.ready();

    assertAll(
        () -> assertEquals(3, ready.hardState().commitIndex()),
        () -> assertEquals(3, ready.entriesToAppend().get(ready.entriesToAppend().size() - 1).index()),
        () -> assertTrue(ready.mustSync()));
  }
}
