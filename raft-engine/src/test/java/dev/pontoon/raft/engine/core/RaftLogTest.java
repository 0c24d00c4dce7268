package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogCompactedException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The combined view of the durable store and the unstable tail. */
class RaftLogTest {

  private static LogEntry e(long index, long term) {
    return LogEntry.command(index, term, cmd("e" + index));
  }

  @Test
  void readsSpanTheStoreAndTheUnstableTail() {
    RaftLog log = new RaftLog(Fixtures.store(2, null, 1, 1, 2), 0);
    log.append(List.of(e(4, 2), e(5, 3)));

    assertEquals(5, log.lastIndex());
    assertEquals(3, log.lastTerm());
    assertEquals(2, log.term(3));
    assertEquals(0, log.term(0));
    assertEquals(List.of(Fixtures.entries(1, 1, 2).get(2), e(4, 2), e(5, 3)), log.entries(3, 6, Long.MAX_VALUE));
    log.checkInvariants();
  }

  @Test
  void entriesRespectTheByteLimitButReturnAtLeastOne() {
    RaftLog log = new RaftLog(Fixtures.store(1, null, 1, 1), 0);
    log.append(List.of(e(3, 1)));

    assertEquals(1, log.entries(1, 4, 1).size());
    assertEquals(2, log.entries(2, 4, 2 * e(2, 1).sizeInBytes()).size());
  }

  /** §5.4.1: a later last term is more up to date; with equal terms, the longer log. */
  @Test
  void upToDateComparesLastTermThenLength() {
    RaftLog log = new RaftLog(Fixtures.store(3, null, 1, 3, 3), 0);

    assertTrue(log.isUpToDate(1, 4));
    assertTrue(log.isUpToDate(3, 3));
    assertTrue(log.isUpToDate(9, 3));
    assertFalse(log.isUpToDate(2, 3));
    assertFalse(log.isUpToDate(10, 2));
  }

  @Test
  void findConflictReturnsFirstMissingOrDifferingIndex() {
    RaftLog log = new RaftLog(Fixtures.store(2, null, 1, 1, 2), 0);

    assertEquals(0, log.findConflict(List.of(e(2, 1), e(3, 2))));
    assertEquals(3, log.findConflict(List.of(e(2, 1), e(3, 3))));
    assertEquals(4, log.findConflict(List.of(e(3, 2), e(4, 2))));
  }

  @Test
  void termRunsForFastBacktracking() {
    RaftLog log = new RaftLog(Fixtures.store(5, null, 1, 2, 2, 2, 5), 0);

    assertEquals(2, log.firstIndexOfTermAt(4, 0));
    assertEquals(3, log.firstIndexOfTermAt(4, 2));
    assertEquals(4, log.lastIndexOfTerm(2, 5));
    assertEquals(-1, log.lastIndexOfTerm(3, 5));
  }

  /** A committed entry is never overwritten: trying means a safety bug, so it fails loudly (§5.4). */
  @Test
  void appendBelowCommitIndexThrowsAndChangesNothing() {
    RaftLog log = new RaftLog(Fixtures.store(1, null, 1, 1, 1), 0);
    log.commitTo(2);

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> log.append(List.of(e(2, 2))));

    assertTrue(e.getMessage().contains("committed"));
    assertEquals(3, log.lastIndex());
    assertEquals(1, log.term(2));
  }

  @Test
  void appendLeavingAHoleIsRefused() {
    RaftLog log = new RaftLog(new InMemoryLogStore(), 0);
    assertThrows(IllegalStateException.class, () -> log.append(List.of(e(2, 1))));
    assertEquals(0, log.lastIndex());
  }

  @Test
  void committedEntriesAreHandedOutOnceInOrder() {
    RaftLog log = new RaftLog(Fixtures.store(1, null, 1, 1), 0);
    log.append(List.of(e(3, 1)));
    log.commitTo(3);

    assertEquals(List.of(Fixtures.entries(1, 1).get(0), Fixtures.entries(1, 1).get(1), e(3, 1)),
        log.nextCommittedEntries());
    assertTrue(log.nextCommittedEntries().isEmpty());
    log.commitTo(2); // never lowers
    assertEquals(3, log.commitIndex());
  }

  @Test
  void commitPastTheLastIndexIsRefused() {
    RaftLog log = new RaftLog(Fixtures.store(1, null, 1), 0);
    assertThrows(IllegalStateException.class, () -> log.commitTo(2));
    assertEquals(0, log.commitIndex());
  }

  @Test
  void appliedIndexOutsideTheLogIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RaftLog(Fixtures.store(1, null, 1), 2));
    assertTrue(e.getMessage().contains("appliedIndex (2)"));
  }

  @Test
  void compactedIndexesAreReportedAsSuch() {
    InMemoryLogStore store = Fixtures.store(1, null, 1, 1, 1, 1);
    store.truncatePrefix(2, 1);
    RaftLog log = new RaftLog(store, 3);

    assertEquals(1, log.term(2));
    assertThrows(LogCompactedException.class, () -> log.term(1));
    assertThrows(LogCompactedException.class, () -> log.entries(2, 4, Long.MAX_VALUE));
    assertFalse(log.matchTerm(1, 1));
  }
}
