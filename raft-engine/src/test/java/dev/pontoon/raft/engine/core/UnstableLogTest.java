package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The not-yet-durable tail of the log and its hand-out bookkeeping. */
class UnstableLogTest {

  private final UnstableLog unstable = new UnstableLog(5);

  private static LogEntry e(long index, long term) {
    return LogEntry.command(index, term, cmd("e" + index));
  }

  @AfterEach
  void invariantsHold() {
    unstable.checkInvariants();
  }

  @Test
  void entriesAreHandedOutOnce() {
    unstable.truncateAndAppend(List.of(e(5, 1), e(6, 1)));
    assertEquals(List.of(e(5, 1), e(6, 1)), unstable.nextEntries());

    unstable.acceptInProgress();
    unstable.truncateAndAppend(List.of(e(7, 1)));

    assertEquals(List.of(e(7, 1)), unstable.nextEntries());
  }

  @Test
  void stableToRemovesDurableEntries() {
    unstable.truncateAndAppend(List.of(e(5, 1), e(6, 1), e(7, 1)));
    unstable.acceptInProgress();

    unstable.stableTo(6, 1);

    assertEquals(7, unstable.offset());
    assertEquals(7, unstable.maybeLastIndex());
    assertEquals(-1, unstable.maybeTerm(6));
    assertFalse(unstable.hasNextEntries());
  }

  /**
   * Over many appends, hand-outs, durable advances and conflicting truncations, the unstable part
   * holds exactly the entries a plain list would, and hands out exactly those not yet handed out.
   */
  @Test
  void holdsWhatAPlainListWouldUnderRandomAppendsAdvancesAndTruncations() {
    Random random = new Random(42);
    List<LogEntry> model = new ArrayList<>();
    long modelOffset = 5;
    long modelInProgress = 5;
    long term = 1;
    for (int step = 0; step < 20_000; step++) {
      long next = modelOffset + model.size();
      int choice = random.nextInt(10);
      if (choice < 5) {
        List<LogEntry> batch = new ArrayList<>();
        for (int k = random.nextInt(40); k >= 0; k--) {
          batch.add(e(next + batch.size(), term));
        }
        unstable.truncateAndAppend(batch);
        model.addAll(batch);
      } else if (choice < 7) {
        unstable.acceptInProgress();
        modelInProgress = modelOffset + model.size();
      } else if (choice < 9 && modelInProgress > modelOffset) {
        long index = modelOffset + random.nextInt((int) (modelInProgress - modelOffset));
        unstable.stableTo(index, model.get((int) (index - modelOffset)).term());
        model.subList(0, (int) (index + 1 - modelOffset)).clear();
        modelOffset = index + 1;
      } else if (!model.isEmpty()) {
        // A conflict: a new leader's entries replace a suffix (in one case in ten, all held).
        long from = random.nextInt(10) == 0 ? modelOffset : modelOffset + random.nextInt(model.size());
        term++;
        List<LogEntry> replacement = List.of(e(from, term), e(from + 1, term));
        unstable.truncateAndAppend(replacement);
        model.subList((int) (from - modelOffset), model.size()).clear();
        model.addAll(replacement);
        modelInProgress = Math.min(modelInProgress, from);
      }
      unstable.checkInvariants();
      assertEquals(modelOffset, unstable.offset(), "step " + step);
      assertEquals(model.size(), unstable.size(), "step " + step);
      assertEquals(model, unstable.slice(modelOffset, modelOffset + model.size()), "step " + step);
      assertEquals(model.subList((int) (modelInProgress - modelOffset), model.size()), unstable.nextEntries(),
          "step " + step);
    }
  }

  /** An advance for entries that a truncation replaced must not mark the replacements durable. */
  @Test
  void stableToIgnoresEntriesReplacedByATruncation() {
    unstable.truncateAndAppend(List.of(e(5, 1), e(6, 1), e(7, 1)));
    unstable.acceptInProgress();
    unstable.truncateAndAppend(List.of(e(6, 2), e(7, 2)));

    unstable.stableTo(7, 1);

    assertEquals(5, unstable.offset());
    assertEquals(List.of(e(6, 2), e(7, 2)), unstable.nextEntries());
  }

  @Test
  void truncationBeforeTheOffsetReplacesEverythingAndRestartsTheHandOut() {
    unstable.truncateAndAppend(List.of(e(5, 1), e(6, 1)));
    unstable.acceptInProgress();

    unstable.truncateAndAppend(List.of(e(3, 2)));

    assertEquals(3, unstable.offset());
    assertEquals(List.of(e(3, 2)), unstable.nextEntries());
    assertEquals(3, unstable.maybeLastIndex());
  }

  @Test
  void maybeTermIsUnknownOutsideTheUnstablePart() {
    unstable.truncateAndAppend(List.of(e(5, 3)));
    assertEquals(3, unstable.maybeTerm(5));
    assertEquals(-1, unstable.maybeTerm(4));
    assertEquals(-1, unstable.maybeTerm(6));
  }

  @Test
  void snapshotRestartsTheLogAfterItsIndex() {
    unstable.truncateAndAppend(List.of(e(5, 1)));
    Snapshot snap = new Snapshot(new SnapshotMeta(10, 3, ClusterConfig.ofVoters("n1")), Bytes.ofUtf8("s"));

    unstable.restore(snap);

    assertEquals(11, unstable.offset());
    assertEquals(11, unstable.maybeFirstIndex());
    assertEquals(10, unstable.maybeLastIndex());
    assertEquals(3, unstable.maybeTerm(10));
    assertEquals(snap, unstable.nextSnapshot());
    unstable.acceptInProgress();
    assertNull(unstable.nextSnapshot());
    unstable.stableSnapshotTo(10);
    assertNull(unstable.snapshot());
    assertTrue(unstable.nextEntries().isEmpty());
  }
}
