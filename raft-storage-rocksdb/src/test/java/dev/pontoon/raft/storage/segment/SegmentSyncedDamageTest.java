package dev.pontoon.raft.storage.segment;

import static dev.pontoon.raft.storage.segment.SegmentEntries.PAYLOAD;
import static dev.pontoon.raft.storage.segment.SegmentEntries.all;
import static dev.pontoon.raft.storage.segment.SegmentEntries.appendOneByOne;
import static dev.pontoon.raft.storage.segment.SegmentEntries.syncedIntoSecondSegment;
import static dev.pontoon.raft.storage.segment.SegmentEntries.entries;
import static dev.pontoon.raft.storage.segment.SegmentEntries.entry;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.CorruptedLogException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damage to records of the last segment that a sync covered, which a crash cannot leave: the open
 * refuses it whenever a later sound record of the segment's writer says it was synced, whatever
 * the damage looks like (a flipped byte in a body or in a length, a sector that reads back as
 * zeros, a start record) and however many records that sync covered; while a write torn after
 * the last sync still opens, dropping only what no sync covered, and a segment whose start record
 * no sync covered (a roll cut short) goes back to the spares.
 */
class SegmentSyncedDamageTest {

  @TempDir Path dir;

  private SegmentLogStore open() {
    return SegmentLogStore.open(SegmentLogStoreConfig.of(dir, ClusterId.of("c1"), NodeId.of("n1"))
        .withSegmentBytes(SegmentLogStoreConfig.MIN_SEGMENT_BYTES));
  }

  private Path onlySegment() throws IOException {
    List<Path> segments = SegmentImage.segments(dir);
    assertEquals(1, segments.size(), "segments: " + segments);
    return segments.get(0);
  }

  /** The open's refusal; fails the test with what the open recovered instead. */
  private CorruptedLogException refusedOpen(String synced) {
    try (SegmentLogStore store = open()) {
      return fail(synced + ", yet the open recovered the log [" + store.firstIndex() + ", " + store.lastIndex()
          + "] and " + store.loadHardState());
    } catch (CorruptedLogException refused) {
      return refused;
    }
  }

  private void assertNames(CorruptedLogException e, String where) {
    assertAll(
        () -> assertTrue(e.getMessage().contains(dir.toString()), e.getMessage()),
        () -> assertTrue(e.getMessage().contains(where), e.getMessage()),
        () -> assertTrue(e.getMessage().contains("says it was synced"), e.getMessage()));
  }

  @Test
  void damageToARecordSyncedTogetherWithTheRecordsAfterItRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      appendOneByOne(store, 1, 5, 1, false);
      store.sync();
      appendOneByOne(store, 6, 7, 1, true);
    }
    Path segment = onlySegment();
    int threeAt = SegmentImage.read(segment).entry(3).offset();
    SegmentImage.flipByte(segment, threeAt + Records.HEADER + 20);

    // 4 and 5 went out in the same sync as 3 and cannot tell; 6 and 7 were written after it.
    assertNames(refusedOpen("entries 1-5 were synced together, and 6 and 7 after them"),
        "segment 1 at offset " + threeAt);
  }

  @Test
  void damageToASyncedVoteRefusesTheOpenRatherThanForgettingIt() throws IOException {
    try (SegmentLogStore store = open()) {
      store.saveHardState(new HardState(5, NodeId.of("n2"), 0));
      store.append(List.of(entry(1, 5, PAYLOAD)));
      store.sync();
      store.append(List.of(entry(2, 5, PAYLOAD)));
      store.sync();
    }
    Path segment = onlySegment();
    int voteAt = SegmentImage.read(segment).records.stream().filter(r -> r.type() == Records.HARD_STATE)
        .findFirst().orElseThrow().offset();
    SegmentImage.flipByte(segment, voteAt + Records.HEADER + 3);

    // Opened without it, the node would be free to vote again in term 5 (§5.2).
    assertNames(refusedOpen("the vote for n2 in term 5 was synced"), "segment 1 at offset " + voteAt);
  }

  @Test
  void damageToTheLengthOfASyncedRecordRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      appendOneByOne(store, 1, 7, 1, true);
    }
    Path segment = onlySegment();
    int fourAt = SegmentImage.read(segment).entry(4).offset();
    SegmentImage.flipByte(segment, fourAt + 3);

    assertNames(refusedOpen("entries 4-7 were each synced"), "segment 1 at offset " + fourAt);
  }

  @Test
  void aSectorOfSyncedRecordsThatReadsBackAsZerosRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      appendOneByOne(store, 1, 30, 1, true);
    }
    Path segment = onlySegment();
    int sector = SegmentImage.read(segment).entry(10).offset() & ~511;
    SegmentImage.write(segment, sector, ByteBuffer.allocate(512));

    refusedOpen("entries 10-30 were each synced");
  }

  @Test
  void theReopenRecordOfALaterRunSaysTheRecordsBeforeItWereSynced() throws IOException {
    try (SegmentLogStore store = open()) {
      appendOneByOne(store, 1, 5, 1, false);
      store.sync();
    }
    try (SegmentLogStore store = open()) {
      assertEquals(5, store.lastIndex(), "the second run writes only its reopen record");
    }
    Path segment = onlySegment();
    SegmentImage.flipByte(segment, SegmentImage.read(segment).entry(4).offset() + Records.HEADER + 20);

    refusedOpen("entries 1-5 were synced, and the next run wrote its reopen record after them");
  }

  @Test
  void soundRecordsAfterATornOneThatNoSyncCoveredAreDroppedWithIt() throws IOException {
    try (SegmentLogStore store = open()) {
      appendOneByOne(store, 1, 5, 1, true);
      // Not synced: each says that the log was durable up to where 6 begins, not past it.
      appendOneByOne(store, 6, 8, 1, false);
    }
    Path segment = onlySegment();
    SegmentImage.flipByte(segment, SegmentImage.read(segment).entry(6).offset() + Records.HEADER + 20);

    try (SegmentLogStore store = open()) {
      assertEquals(entries(1, 5, 1), all(store), "7 and 8 were written back before 6, which the crash tore");
      store.append(entries(6, 6, 2));
      store.sync();
    }
    try (SegmentLogStore store = open()) {
      List<LogEntry> expected = new ArrayList<>(entries(1, 5, 1));
      expected.add(entry(6, 2, PAYLOAD));
      assertEquals(expected, all(store), "the old 7 and 8 are never taken for evidence or for entries");
    }
  }

  @Test
  void damageToTheStartRecordOfTheOnlySegmentRefusesTheOpenAndKeepsItsFile() throws IOException {
    try (SegmentLogStore store = open()) {
      store.saveHardState(new HardState(5, NodeId.of("n2"), 0));
      appendOneByOne(store, 1, 20, 5, true);
    }
    Path segment = onlySegment();
    SegmentImage.flipByte(segment, Records.HEADER + 8 + 2); // a byte of the cluster id

    // Taken for a segment never begun, it was recycled, and the node came back with no term and no vote.
    assertNames(refusedOpen("20 entries and a vote in term 5 were synced"), "segment 1 at offset 0");
    assertEquals(List.of(segment), SegmentImage.segments(dir), "the refused open renamed nothing");
  }

  @Test
  void damageToTheStartRecordOfTheLastSegmentAfterSealedOnesRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      syncedIntoSecondSegment(store, dir);
    }
    List<Path> segments = SegmentImage.segments(dir);
    SegmentImage.flipByte(segments.get(1), Records.HEADER + 8 + 2);

    assertNames(refusedOpen("segment 2 held synced entries"), "segment 2 at offset 0");
    assertEquals(segments, SegmentImage.segments(dir), "the refused open renamed nothing");
  }

  @Test
  void theOnlySegmentLeftByACompactionWithoutASoundStartRecordRefusesTheOpen() throws IOException {
    try (SegmentLogStore store = open()) {
      long next = 1;
      while (SegmentImage.segments(dir).size() < 3) {
        appendOneByOne(store, next, next, 1, false);
        next++;
      }
      store.truncatePrefix(next - 1, 1);
      store.saveHardState(new HardState(5, NodeId.of("n2"), next - 1));
      store.sync();
    }
    Path segment = onlySegment();
    SegmentImage.write(segment, 0, ByteBuffer.allocate(4096));

    // The segments before it were dropped by a sync that covered its start record: not a roll cut short.
    CorruptedLogException e = refusedOpen("the compaction and the vote in term 5 were synced");
    assertTrue(e.getMessage().contains("it is the log's only segment"), e.getMessage());
    assertEquals(List.of(segment), SegmentImage.segments(dir), "the refused open renamed nothing");
  }

  /**
   * Appends one entry at a time, unsynced, until the log rolls into a second segment: the first is
   * sealed and synced, the second holds its start record and the entry that did not fit, and no
   * sync covered either. Returns the last index of the first segment.
   */
  private long rollWithNothingSyncedAfterIt() throws IOException {
    long next = 1;
    try (SegmentLogStore store = open()) {
      while (SegmentImage.segments(dir).size() < 2) {
        appendOneByOne(store, next, next, 1, false);
        next++;
      }
    }
    return next - 2;
  }

  @Test
  void aStartRecordTornBeforeAnySyncCoveredItIsRecycledWithTheRecordsAfterIt() throws IOException {
    long sealedLast = rollWithNothingSyncedAfterIt();
    SegmentImage.flipByte(SegmentImage.segments(dir).get(1), Records.HEADER + 8 + 2);

    try (SegmentLogStore store = open()) {
      assertEquals(entries(1, sealedLast, 1), all(store), "the entry after the roll was never synced");
    }
  }

  @Test
  void aStartRecordThatReadsAsZerosIsTakenForARollCutShort() throws IOException {
    long sealedLast = rollWithNothingSyncedAfterIt();
    SegmentImage.write(SegmentImage.segments(dir).get(1), 0, ByteBuffer.allocate(4096));

    try (SegmentLogStore store = open()) {
      assertEquals(entries(1, sealedLast, 1), all(store));
    }
  }

  @Test
  void theSyncedRecordsOfARecycledFileNeverMakeItsSegmentLookDamaged() throws IOException {
    long sealedLast = rollWithNothingSyncedAfterIt();
    List<Path> segments = SegmentImage.segments(dir);
    // A roll cut short after it renamed a spare recycled from segment 1, whose synced records it still holds.
    Files.write(segments.get(1), Files.readAllBytes(segments.get(0)));

    try (SegmentLogStore store = open()) {
      assertEquals(entries(1, sealedLast, 1), all(store));
    }
  }
}
