package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link LogStore} must show, as an abstract JUnit 5 test class. Each test is
 * named after the rule it checks; together they restate {@link LogStore}'s and
 * {@link LogReader}'s Javadoc as executable specifications.
 *
 * <p><b>Running it against your own store.</b> Add the test-jar to your test classpath:
 *
 * <pre>{@code
 * <dependency>
 *   <groupId>dev.pontoon</groupId>
 *   <artifactId>raft-api</artifactId>
 *   <version>${pontoon.version}</version>
 *   <type>test-jar</type>
 *   <scope>test</scope>
 * </dependency>
 * }</pre>
 *
 * and extend this class:
 *
 * <pre>{@code
 * class MyLogStoreTest extends LogStoreContract {
 *   @TempDir Path dir;
 *
 *   @Override protected LogStore newStore() { return MyLogStore.open(dir); }
 *   @Override protected boolean isDurable() { return true; }
 *   @Override protected LogStore reopen(LogStore store) {
 *     store.close();
 *     return MyLogStore.open(dir);
 *   }
 * }
 * }</pre>
 *
 * <p>Every test gets a fresh, empty store from {@link #newStore()} and closes whatever store it
 * holds at the end. Tests about surviving a restart run only when {@link #isDurable()} is true;
 * they call {@link #reopen(LogStore)} after {@link LogStore#sync()}.
 */
public abstract class LogStoreContract extends LogStoreAppendContract {
  // ---------------------------------------------------------------- suffix truncation

  @Test
  void truncateSuffixRemovesConflictingEntries() {
    store.append(entries(1, 5, 1));

    store.truncateSuffix(3);

    assertAll(
        () -> assertLog(1, 2, entries(1, 2, 1)),
        () -> assertThrows(IndexOutOfBoundsException.class, () -> store.term(3)));
  }

  @Test
  void truncateSuffixThenAppendReplacesTheConflictingSuffix() {
    store.append(entries(1, 3, 1));
    store.sync();

    store.truncateSuffix(2);
    store.append(entries(2, 2, 2));
    store.sync();

    assertAll(
        () -> assertLog(1, 2, List.of(entry(1, 1), entry(2, 2))),
        () -> assertEquals(2, store.term(2)));
  }

  @Test
  void truncateSuffixAtTheFirstIndexEmptiesTheLog() {
    store.append(entries(1, 5, 1));
    store.truncatePrefix(2, 1);

    store.truncateSuffix(3);

    assertAll(() -> assertLog(3, 2, List.of()), () -> assertEquals(1, store.term(2)));
  }

  @Test
  void truncateSuffixPastTheLastIndexIsANoOp() {
    store.append(entries(1, 3, 1));

    store.truncateSuffix(4);
    store.truncateSuffix(100);

    assertLog(1, 3, entries(1, 3, 1));
  }

  @Test
  void truncateSuffixBelowTheFirstIndexIsRefusedAndChangesNothing() {
    store.append(entries(1, 5, 1));
    store.truncatePrefix(2, 1);

    assertThrows(IllegalArgumentException.class, () -> store.truncateSuffix(2));

    assertLog(3, 5, entries(3, 5, 1));
  }

  // ---------------------------------------------------------------- prefix truncation

  @Test
  void truncatePrefixDiscardsCoveredEntriesAndKeepsTheirLastTerm() {
    store.append(concat(entries(1, 3, 1), entries(4, 6, 2)));

    store.truncatePrefix(4, 2);

    assertAll(
        () -> assertLog(5, 6, entries(5, 6, 2)),
        () -> assertEquals(2, store.term(4)));
  }

  @Test
  void truncatePrefixBelowTheFirstIndexIsANoOp() {
    store.append(entries(1, 5, 1));
    store.truncatePrefix(3, 1);

    store.truncatePrefix(2, 1);

    assertAll(() -> assertLog(4, 5, entries(4, 5, 1)), () -> assertEquals(1, store.term(3)));
  }

  @Test
  void truncatePrefixThroughTheLastPossibleIndexIsRefusedAndChangesNothing() {
    HardState voted = new HardState(3, NodeId.of("n2"), 2);
    store.append(entries(1, 5, 1));
    store.saveHardState(voted);
    store.sync();

    // The log would start at Long.MAX_VALUE + 1: no index is left (Compactions.requireIndexAfter).
    assertThrows(IllegalArgumentException.class, () -> store.truncatePrefix(Long.MAX_VALUE, 1));

    assertAll(() -> assertLog(1, 5, entries(1, 5, 1)), () -> assertEquals(voted, store.loadHardState()));
    if (isDurable()) {
      // Nothing of it may reach the disk either: a written-down compaction there broke every reopen.
      store.sync();
      store = reopen(store);
      assertAll(() -> assertLog(1, 5, entries(1, 5, 1)), () -> assertEquals(voted, store.loadHardState()));
    }
  }

  @Test
  void truncatePrefixPastTheLastIndexEmptiesTheLogAndMovesItsStart() {
    store.append(entries(1, 3, 1));

    store.truncatePrefix(10, 4);

    assertAll(
        () -> assertLog(11, 10, List.of()),
        () -> assertEquals(4, store.term(10)),
        () -> assertThrows(LogCompactedException.class, () -> store.term(9)));
  }

  @Test
  void appendAfterASnapshotPastTheLogContinuesAfterTheSnapshot() {
    store.append(entries(1, 3, 1));
    store.truncatePrefix(10, 4);

    store.append(entries(11, 12, 4));

    assertAll(() -> assertLog(11, 12, entries(11, 12, 4)), () -> assertEquals(4, store.term(10)));
  }

  /**
   * When a snapshot's last included entry conflicts with the entry the log holds at that index,
   * the entire log is discarded instead of keeping the entries that follow (§7: "If existing log
   * entry has same index and term as snapshot's last included entry, retain log entries following
   * it [...] Discard the entire log").
   */
  @Test
  void truncatePrefixDiscardsTheWholeLogWhenTheTermAtTheSnapshotIndexDiffers() {
    store.append(entries(1, 5, 1));

    store.truncatePrefix(3, 2);

    assertAll(() -> assertLog(4, 3, List.of()), () -> assertEquals(2, store.term(3)));
  }

  // ---------------------------------------------------------------- hard state and read-your-writes

  @Test
  void hardStateRoundTrips() {
    store.saveHardState(new HardState(7, NodeId.of("n3")));
    assertEquals(new HardState(7, NodeId.of("n3")), store.loadHardState());

    store.saveHardState(new HardState(8, null));
    assertEquals(new HardState(8, null), store.loadHardState());

    store.append(entries(1, 5, 8));
    store.saveHardState(new HardState(8, null, 4));
    assertEquals(new HardState(8, null, 4), store.loadHardState());
  }

  /**
   * "Truncation updates this metadata": a snapshot covers only committed entries, so discarding
   * the log up to one raises the saved commit index to at least the snapshot's index, keeps term
   * and vote, and never lowers a higher commit index.
   */
  @Test
  void truncatePrefixRaisesTheCommitIndexToTheSnapshotIndex() {
    store.append(entries(1, 6, 2));
    store.saveHardState(new HardState(3, NodeId.of("n2"), 1));

    store.truncatePrefix(4, 2);
    HardState afterCompaction = store.loadHardState();
    store.saveHardState(new HardState(3, NodeId.of("n2"), 6));
    store.truncatePrefix(5, 2);

    assertAll(
        () -> assertEquals(new HardState(3, NodeId.of("n2"), 4), afterCompaction),
        () -> assertEquals(new HardState(3, NodeId.of("n2"), 6), store.loadHardState()));
  }

  /** The saved commit index never names less than the snapshot the log starts after (commit >= snapshot index). */
  @Test
  void aCommitIndexBelowTheSnapshotIsSavedAsTheSnapshotIndex() {
    store.append(entries(1, 5, 1));
    store.truncatePrefix(3, 1);

    store.saveHardState(new HardState(2, null, 1));

    assertEquals(new HardState(2, null, 3), store.loadHardState());
  }

  /** A snapshot that replaces the whole log (a leader's InstallSnapshot, §7) raises the commit index past the old log. */
  @Test
  void truncatePrefixBeyondTheLogRaisesTheCommitIndexToTheSnapshotIndex() {
    store.append(entries(1, 2, 1));
    store.saveHardState(new HardState(4, null, 2));

    store.truncatePrefix(10, 3);

    assertEquals(new HardState(4, null, 10), store.loadHardState());
  }

  @Test
  void readsSeeWritesBeforeSync() {
    store.saveHardState(new HardState(2, NodeId.of("n1")));
    store.append(entries(1, 4, 2));
    store.truncateSuffix(4);
    store.truncatePrefix(1, 2);

    assertAll(
        () -> assertLog(2, 3, entries(2, 3, 2)),
        () -> assertEquals(2, store.term(1)),
        () -> assertEquals(new HardState(2, NodeId.of("n1"), 1), store.loadHardState()));
  }

  /**
   * One writer and concurrent readers (see {@link LogReader}): a reader that asks only for indexes
   * the writer no longer touches always gets exactly what was written.
   */
  @Test
  void concurrentReadersSeeOnlyWhatWasWritten() throws Exception {
    int batches = 200;
    AtomicBoolean done = new AtomicBoolean();
    CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(() -> {
      int reads = 0;
      while (!done.get() || reads == 0) {
        long last = store.lastIndex();
        List<LogEntry> read = store.entries(1, last + 1, Long.MAX_VALUE);
        assertEquals(entries(1, last, 1), read);
        if (last > 0) {
          assertEquals(1, store.term(last));
        }
        reads++;
      }
      return reads;
    });

    for (int b = 0; b < batches; b++) {
      store.append(entries(b * 5L + 1, b * 5L + 5, 1));
      if (b % 10 == 0) {
        store.sync();
      }
    }
    done.set(true);

    assertTrue(reader.get(60, TimeUnit.SECONDS) > 0);
    assertEquals(batches * 5L, store.lastIndex());
  }

  @Test
  void closeIsIdempotent() {
    store.append(entries(1, 1, 1));
    store.sync();

    store.close();

    assertDoesNotThrow(store::close);
  }

  // ---------------------------------------------------------------- restart (durable stores)

  @Test
  void reopenAfterSyncKeepsEntriesAndHardState() {
    assumeTrue(isDurable(), "restart tests need a durable store");
    store.saveHardState(new HardState(3, NodeId.of("n2")));
    store.append(concat(entries(1, 2, 1), entries(3, 5, 3)));
    store.saveHardState(new HardState(3, NodeId.of("n2"), 4));
    store.sync();

    store = reopen(store);

    assertAll(
        () -> assertLog(1, 5, concat(entries(1, 2, 1), entries(3, 5, 3))),
        () -> assertEquals(3, store.term(5)),
        () -> assertEquals(new HardState(3, NodeId.of("n2"), 4), store.loadHardState()));
  }

  @Test
  void reopenAfterSyncKeepsTheCommitIndexACompactionRaised() {
    assumeTrue(isDurable(), "restart tests need a durable store");
    store.append(entries(1, 5, 1));
    store.saveHardState(new HardState(1, null, 2));
    store.truncatePrefix(3, 1);
    store.sync();

    store = reopen(store);

    assertAll(
        () -> assertLog(4, 5, entries(4, 5, 1)),
        () -> assertEquals(new HardState(1, null, 3), store.loadHardState()));
  }

  @Test
  void reopenAfterSyncNeverResurrectsATruncatedSuffix() {
    assumeTrue(isDurable(), "restart tests need a durable store");
    store.append(entries(1, 5, 1));
    store.sync();
    store.truncateSuffix(3);
    store.append(entries(3, 3, 2));
    store.sync();

    store = reopen(store);

    assertAll(
        () -> assertLog(1, 3, List.of(entry(1, 1), entry(2, 1), entry(3, 2))),
        () -> assertThrows(IndexOutOfBoundsException.class, () -> store.term(4)));
  }

  @Test
  void reopenAfterSyncKeepsTheCompactedStartAndItsTerm() {
    assumeTrue(isDurable(), "restart tests need a durable store");
    store.append(entries(1, 5, 2));
    store.truncatePrefix(3, 2);
    store.sync();

    store = reopen(store);

    assertAll(
        () -> assertLog(4, 5, entries(4, 5, 2)),
        () -> assertEquals(2, store.term(3)),
        () -> assertThrows(LogCompactedException.class, () -> store.term(2)));
  }

  @Test
  void reopenAfterASnapshotPastTheLogKeepsTheEmptyLogAtItsNewStart() {
    assumeTrue(isDurable(), "restart tests need a durable store");
    store.append(entries(1, 3, 1));
    store.truncatePrefix(20, 5);
    store.sync();

    store = reopen(store);
    store.append(entries(21, 21, 5));

    assertAll(() -> assertLog(21, 21, entries(21, 21, 5)), () -> assertEquals(5, store.term(20)));
  }

  @Test
  void reopenedStoreAcceptsAppendsAfterItsLastEntry() {
    assumeTrue(isDurable(), "restart tests need a durable store");
    store.append(entries(1, 3, 1));
    store.sync();
    store = reopen(store);

    store.append(entries(4, 5, 2));
    assertThrows(IllegalArgumentException.class, () -> store.append(entries(7, 7, 2)));

    assertTrue(store.lastIndex() == 5 && store.term(5) == 2, "log continues after reopen");
  }

}
