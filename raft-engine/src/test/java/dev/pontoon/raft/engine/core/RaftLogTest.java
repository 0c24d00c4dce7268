package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.LogReader;
import java.util.ArrayList;
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

  /** A store view that counts the entries read through it, and remembers the lowest index read. */
  private static final class CountingReader implements LogReader {
    final InMemoryLogStore store;
    long entriesRead;
    long lowestIndexRead = Long.MAX_VALUE;

    CountingReader(InMemoryLogStore store) {
      this.store = store;
    }

    @Override
    public long firstIndex() {
      return store.firstIndex();
    }

    @Override
    public long lastIndex() {
      return store.lastIndex();
    }

    @Override
    public long term(long index) {
      lowestIndexRead = Math.min(lowestIndexRead, index);
      return store.term(index);
    }

    @Override
    public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
      lowestIndexRead = Math.min(lowestIndexRead, fromIndex);
      List<LogEntry> out = store.entries(fromIndex, toIndex, maxBytes);
      entriesRead += out.size();
      return out;
    }
  }

  /**
   * Once a snapshot is announced the log starts right after it, whatever the store still holds:
   * the store is never asked for anything at or below the snapshot's index, so compacting it up
   * to there on another thread cannot surprise a reader (§7).
   */
  @Test
  void logStartsAfterTheAnnouncedSnapshotWhateverTheStoreHolds() {
    CountingReader reader = new CountingReader(Fixtures.store(2, null, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2));
    RaftLog log = new RaftLog(reader, 0);
    log.commitTo(10);
    log.nextCommittedEntries();

    log.snapshotAvailable(6, 2);
    reader.lowestIndexRead = Long.MAX_VALUE;

    assertEquals(7, log.firstIndex());
    assertEquals(2, log.term(6));
    assertThrows(LogCompactedException.class, () -> log.term(5));
    assertThrows(LogCompactedException.class, () -> log.entries(6, 11, Long.MAX_VALUE));
    assertFalse(log.matchTerm(5, 1));
    assertTrue(log.matchTerm(6, 2));
    assertEquals(-1, log.lastIndexOfTerm(1, 10));
    assertEquals(7, log.firstIndexOfTermAt(9, 0));
    assertEquals(Fixtures.entries(1, 1, 1, 1, 1, 2, 2, 2, 2, 2).subList(6, 10), log.entries(7, 11, Long.MAX_VALUE));
    assertEquals(7, reader.lowestIndexRead);
    reader.store.truncatePrefix(6, 2);
    assertEquals(7, log.firstIndex());
    log.snapshotAvailable(4, 1); // older: changes nothing
    assertEquals(7, log.firstIndex());
    log.checkInvariants();
  }

  /** A snapshot holds applied state only, and agrees with the log; anything else is refused before any change. */
  @Test
  void snapshotPastTheHandedOutEntriesOrOfAnotherTermIsRefused() {
    RaftLog log = new RaftLog(Fixtures.store(2, null, 1, 1, 2, 2), 0);
    log.commitTo(3);
    log.nextCommittedEntries();

    IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> log.snapshotAvailable(4, 2));
    IllegalArgumentException term = assertThrows(IllegalArgumentException.class, () -> log.snapshotAvailable(3, 1));

    assertEquals("snapshot at 4 covers entries not yet handed out for applying (up to 3)", past.getMessage());
    assertEquals("snapshot at 3 has term 1 but the log holds term 2 there", term.getMessage());
    assertEquals(1, log.firstIndex());
    assertEquals(0, log.snapshotIndex());
  }

  /** Persists {@code entries} the way the runtime does (a conflicting suffix first), then advances. */
  private static void persist(RaftLog log, CountingReader reader, List<LogEntry> entries) {
    reader.store.truncateSuffix(entries.get(0).index());
    reader.store.append(entries);
    reader.store.sync();
    LogEntry last = entries.get(entries.size() - 1);
    log.stableTo(last.index(), last.term());
    log.checkInvariants();
  }

  private static List<LogEntry> run(long from, long to, long term) {
    List<LogEntry> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(e(i, term));
    }
    return out;
  }

  @Test
  void committedEntriesAreServedFromTheDurableTailWithoutReadingTheStore() {
    CountingReader reader = new CountingReader(new InMemoryLogStore());
    RaftLog log = new RaftLog(reader, 0);
    log.append(run(1, 5, 1));
    persist(log, reader, run(1, 5, 1));
    log.append(List.of(e(6, 1)));
    log.commitTo(6);

    assertEquals(run(1, 6, 1), log.nextCommittedEntries());
    assertEquals(0, reader.entriesRead);
  }

  @Test
  void entriesBelowTheDurableTailStillComeFromTheStore() {
    CountingReader reader = new CountingReader(Fixtures.store(1, null, 1, 1));
    RaftLog log = new RaftLog(reader, 0);
    log.append(run(3, 4, 1));
    persist(log, reader, run(3, 4, 1));
    log.append(List.of(e(5, 1)));

    assertEquals(run(1, 5, 1), log.entries(1, 6, Long.MAX_VALUE));
    assertEquals(2, reader.entriesRead);
    long two = 2 * e(1, 1).sizeInBytes();
    assertEquals(run(1, 2, 1), log.entries(1, 6, two));
    assertEquals(run(3, 4, 1), log.entries(3, 6, two));
  }

  /** §5.3: a conflicting entry and all that follow it are deleted, from the tail too. */
  @Test
  void truncationDropsTheTailFromTheConflictingIndex() {
    CountingReader reader = new CountingReader(new InMemoryLogStore());
    RaftLog log = new RaftLog(reader, 0);
    log.append(run(1, 4, 1));
    persist(log, reader, run(1, 4, 1));

    log.append(List.of(e(3, 2)));
    log.checkInvariants();
    assertEquals(List.of(e(1, 1), e(2, 1), e(3, 2)), log.entries(1, 4, Long.MAX_VALUE));
    persist(log, reader, List.of(e(3, 2)));

    assertEquals(List.of(e(1, 1), e(2, 1), e(3, 2)), log.entries(1, 4, Long.MAX_VALUE));
    assertEquals(0, reader.entriesRead);
    assertEquals(3, log.lastIndex());
  }

  /** §7: a snapshot replaces the whole log, so no tail entry may survive it. */
  @Test
  void snapshotRestoreClearsTheTail() {
    CountingReader reader = new CountingReader(new InMemoryLogStore());
    RaftLog log = new RaftLog(reader, 0);
    log.append(run(1, 3, 1));
    persist(log, reader, run(1, 3, 1));

    // Ends where the tail does, with another term: only the clearing tells the tail is stale.
    Snapshot snapshot = new Snapshot(new SnapshotMeta(3, 2, ClusterConfig.ofVoters("n1")), Bytes.ofUtf8("s"));
    log.restore(snapshot);

    assertTrue(log.durableTail().isEmpty());
    log.checkInvariants();
    assertThrows(LogCompactedException.class, () -> log.entries(3, 4, Long.MAX_VALUE));
    reader.store.truncatePrefix(3, 2);
    log.unstable().stableSnapshotTo(3);
    log.append(List.of(e(4, 2)));
    persist(log, reader, List.of(e(4, 2)));
    assertEquals(4, log.durableTail().firstIndex());
    assertEquals(List.of(e(4, 2)), log.entries(4, 5, Long.MAX_VALUE));
  }

  @Test
  void tailStaysWithinItsByteBound() {
    long bound = e(8, 1).sizeInBytes() + e(9, 1).sizeInBytes() + e(10, 1).sizeInBytes();
    CountingReader reader = new CountingReader(new InMemoryLogStore());
    RaftLog log = new RaftLog(reader, 0, 100, bound);
    log.append(run(1, 10, 1));
    persist(log, reader, run(1, 10, 1));

    assertEquals(3, log.durableTail().size());
    assertEquals(bound, log.durableTail().bytes());
    assertEquals(run(8, 10, 1), log.entries(8, 11, Long.MAX_VALUE));
    assertEquals(0, reader.entriesRead);
    assertEquals(run(1, 10, 1), log.entries(1, 11, Long.MAX_VALUE));
    assertEquals(7, reader.entriesRead);
  }

  @Test
  void tailStaysWithinItsEntryBound() {
    CountingReader reader = new CountingReader(new InMemoryLogStore());
    RaftLog log = new RaftLog(reader, 0, 4, Long.MAX_VALUE);
    for (long i = 1; i <= 10; i++) {
      log.append(List.of(e(i, 1)));
      persist(log, reader, List.of(e(i, 1)));
    }

    assertEquals(4, log.durableTail().size());
    assertEquals(7, log.durableTail().firstIndex());
    log.commitTo(10);
    assertEquals(run(1, 10, 1), log.nextCommittedEntries());
    assertEquals(6, reader.entriesRead);
  }

  @Test
  void anEntryLargerThanTheByteBoundIsLeftToTheStore() {
    CountingReader reader = new CountingReader(new InMemoryLogStore());
    RaftLog log = new RaftLog(reader, 0, 100, e(1, 1).sizeInBytes() - 1);
    log.append(run(1, 2, 1));
    persist(log, reader, run(1, 2, 1));

    assertTrue(log.durableTail().isEmpty());
    assertEquals(run(1, 2, 1), log.entries(1, 3, Long.MAX_VALUE));
    assertEquals(2, reader.entriesRead);
  }

  @Test
  void nonPositiveTailBoundsAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RaftLog(new InMemoryLogStore(), 0, 0, 1));
    assertTrue(e.getMessage().contains("tail bounds must be positive"));
    assertThrows(IllegalArgumentException.class, () -> new RaftLog(new InMemoryLogStore(), 0, 1, 0));
  }

  @Test
  void compactionBelowTheTailIsStillReportedAsSuch() {
    CountingReader reader = new CountingReader(new InMemoryLogStore());
    RaftLog log = new RaftLog(reader, 0);
    log.append(run(1, 4, 1));
    persist(log, reader, run(1, 4, 1));
    log.commitTo(4);
    log.nextCommittedEntries();
    reader.store.truncatePrefix(2, 1);
    reader.store.sync();

    assertThrows(LogCompactedException.class, () -> log.entries(2, 5, Long.MAX_VALUE));
    assertEquals(run(3, 4, 1), log.entries(3, 5, Long.MAX_VALUE));
    assertEquals(0, reader.entriesRead);
    log.checkInvariants();
  }
}
