package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reading and appending half of the {@link LogStoreContract}: an empty store, appends and
 * reads, bounds, and appends that must be refused. Extend {@link LogStoreContract}, not this.
 */
public abstract class LogStoreAppendContract extends LogStoreFixture {
  // ---------------------------------------------------------------- empty store

  @Test
  void newStoreIsEmptyWithInitialHardState() {
    assertAll(
        () -> assertEquals(1, store.firstIndex()),
        () -> assertEquals(0, store.lastIndex()),
        () -> assertEquals(0, store.term(0)),
        () -> assertEquals(HardState.INITIAL, store.loadHardState()),
        () -> assertEquals(List.of(), store.entries(1, 1, Long.MAX_VALUE)));
  }

  // ---------------------------------------------------------------- append and read

  @Test
  void appendedEntriesAreReadBackInOrder() {
    store.append(entries(1, 5, 1));

    assertLog(1, 5, entries(1, 5, 1));
  }

  @Test
  void appendOfEmptyListChangesNothing() {
    store.append(entries(1, 2, 1));

    store.append(List.of());

    assertLog(1, 2, entries(1, 2, 1));
  }

  @Test
  void successiveAppendsContinueTheLog() {
    store.append(entries(1, 3, 1));
    store.append(entries(4, 4, 2));
    store.append(entries(5, 6, 2));

    assertLog(1, 6, concat(entries(1, 3, 1), entries(4, 6, 2)));
  }

  @Test
  void everyKindAndPayloadRoundTrips() {
    byte[] big = new byte[1 << 16];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31);
    }
    List<LogEntry> written = List.of(
        LogEntry.noOp(1, 1),
        new LogEntry(2, 1, EntryKind.CONFIGURATION, ClusterConfig.ofVoters("n1", "n2", "n3").toBytes()),
        LogEntry.command(3, 1, Bytes.EMPTY),
        LogEntry.command(4, 2, Bytes.of(big)),
        LogEntry.command(5, 2, Bytes.of(new byte[] {0, -1, 127, -128})));

    store.append(written);

    assertLog(1, 5, written);
  }

  @Test
  void entriesReturnsTheHalfOpenRange() {
    store.append(entries(1, 10, 1));

    assertEquals(entries(3, 6, 1), store.entries(3, 7, Long.MAX_VALUE));
  }

  @Test
  void entriesOfAnEmptyRangeIsEmpty() {
    store.append(entries(1, 3, 1));

    assertAll(
        () -> assertEquals(List.of(), store.entries(2, 2, Long.MAX_VALUE)),
        () -> assertEquals(List.of(), store.entries(4, 4, Long.MAX_VALUE)));
  }

  @Test
  void entriesStopsBeforeExceedingMaxBytes() {
    store.append(entries(1, 10, 1));
    long oneEntry = entry(1, 1).sizeInBytes();

    List<LogEntry> read = store.entries(1, 11, 3 * oneEntry + oneEntry / 2);

    assertEquals(entries(1, 3, 1), read);
  }

  @Test
  void entriesReturnsAtLeastOneEntryEvenWhenItExceedsMaxBytes() {
    store.append(entries(1, 3, 1));

    assertAll(
        () -> assertEquals(entries(2, 2, 1), store.entries(2, 4, 1)),
        () -> assertEquals(entries(2, 2, 1), store.entries(2, 4, 0)));
  }

  @Test
  void termReturnsTheTermOfEachEntry() {
    store.append(concat(entries(1, 2, 1), entries(3, 4, 3)));

    assertAll(
        () -> assertEquals(0, store.term(0)),
        () -> assertEquals(1, store.term(1)),
        () -> assertEquals(1, store.term(2)),
        () -> assertEquals(3, store.term(3)),
        () -> assertEquals(3, store.term(4)));
  }

  // ---------------------------------------------------------------- bounds

  @Test
  void termPastTheLastIndexIsOutOfBounds() {
    store.append(entries(1, 3, 1));

    assertThrows(IndexOutOfBoundsException.class, () -> store.term(4));
  }

  @Test
  void entriesPastTheLastIndexAreOutOfBounds() {
    store.append(entries(1, 3, 1));

    assertAll(
        () -> assertThrows(IndexOutOfBoundsException.class, () -> store.entries(1, 5, Long.MAX_VALUE)),
        () -> assertThrows(IndexOutOfBoundsException.class, () -> store.entries(5, 6, Long.MAX_VALUE)));
  }

  @Test
  void entriesWithFromAfterToAreOutOfBounds() {
    store.append(entries(1, 3, 1));

    assertThrows(IndexOutOfBoundsException.class, () -> store.entries(3, 2, Long.MAX_VALUE));
  }

  @Test
  void termBeforeTheCompactedPrefixThrowsLogCompacted() {
    store.append(entries(1, 5, 1));
    store.truncatePrefix(3, 1);

    LogCompactedException e = assertThrows(LogCompactedException.class, () -> store.term(2));

    assertAll(() -> assertEquals(2, e.index()), () -> assertEquals(4, e.firstIndex()));
  }

  @Test
  void entriesBeforeTheFirstIndexThrowLogCompacted() {
    store.append(entries(1, 5, 1));
    store.truncatePrefix(3, 1);

    assertThrows(LogCompactedException.class, () -> store.entries(3, 5, Long.MAX_VALUE));
  }

  // ---------------------------------------------------------------- bad appends

  @Test
  void appendWithAGapIsRefusedAndChangesNothing() {
    store.append(entries(1, 3, 1));

    assertThrows(IllegalArgumentException.class, () -> store.append(entries(5, 6, 1)));

    assertLog(1, 3, entries(1, 3, 1));
  }

  @Test
  void appendOverlappingTheLogIsRefusedAndChangesNothing() {
    store.append(entries(1, 3, 1));

    assertThrows(IllegalArgumentException.class, () -> store.append(entries(3, 4, 2)));

    assertLog(1, 3, entries(1, 3, 1));
  }

  @Test
  void appendOfNonConsecutiveEntriesIsRefusedAndChangesNothing() {
    store.append(entries(1, 2, 1));
    List<LogEntry> holed = List.of(entry(3, 1), entry(4, 1), entry(6, 1));

    assertThrows(IllegalArgumentException.class, () -> store.append(holed));

    assertLog(1, 2, entries(1, 2, 1));
  }

  @Test
  void appendWithATermLowerThanThePredecessorsIsRefusedAndChangesNothing() {
    store.append(entries(1, 2, 3));

    assertAll(
        () -> assertThrows(IllegalArgumentException.class, () -> store.append(entries(3, 3, 2))),
        () -> assertThrows(IllegalArgumentException.class,
            () -> store.append(List.of(entry(3, 3), entry(4, 4), entry(5, 3)))));

    assertLog(1, 2, entries(1, 2, 3));
  }

  @Test
  void appendAfterCompactionRefusesATermLowerThanTheSnapshotTerm() {
    store.truncatePrefix(10, 4);

    assertThrows(IllegalArgumentException.class, () -> store.append(entries(11, 11, 3)));

    assertLog(11, 10, List.of());
  }

  @Test
  void refusedAppendKeepsTheHardState() {
    HardState state = new HardState(3, NodeId.of("n2"));
    store.saveHardState(state);

    assertThrows(IllegalArgumentException.class, () -> store.append(entries(2, 2, 1)));

    assertEquals(state, store.loadHardState());
  }
}
