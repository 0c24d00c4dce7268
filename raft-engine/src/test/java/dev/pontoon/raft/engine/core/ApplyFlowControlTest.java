package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Flow control between the core and the state machine (etcd's {@code MaxCommittedSizePerReady}
 * and applying pause): committed entries are handed out at most
 * {@link RaftConfig#maxCommittedBytesPerReady()} per {@link Ready}, and no more once those handed
 * out and not yet reported with {@link RaftCore#appliedTo} reach
 * {@link RaftConfig#maxApplyingBytes()}; memory stays bounded however long the committed log is
 * and however slowly it is applied.
 *
 * <p>Entries here weigh 124 bytes each ({@link LogEntry#sizeInBytes()} of a 100-byte command), so
 * a 1000-byte Ready holds eight of them.
 */
class ApplyFlowControlTest {

  private static final long SMALL = 124;

  private static LogEntry small(long index) {
    return LogEntry.command(index, 1, Bytes.ofUtf8(String.format("%-100s", "e" + index)));
  }

  private static LogEntry big(long index) {
    return LogEntry.command(index, 1, Bytes.ofUtf8(String.format("%-3000s", "big" + index)));
  }

  private static List<LogEntry> smalls(long from, long to) {
    return LongStream.rangeClosed(from, to).mapToObj(ApplyFlowControlTest::small).toList();
  }

  /**
   * n1 restarted as a follower with {@code log} durable and nothing applied, then heard from
   * leader n2 that all of it is committed: everything is now there to hand out.
   */
  private static CoreUnderTest restartedFollower(RaftConfig config, List<LogEntry> log) {
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(log);
    store.saveHardState(new HardState(1, null));
    store.sync();
    CoreUnderTest c = new CoreUnderTest(N1, 3, config, store);
    long last = log.size();
    c.step(new AppendEntries(N2, N1, 1, last, 1, List.of(), last, 1));
    return c;
  }

  private static RaftConfig config(long perReady, long applying) {
    return Fixtures.plain().withMaxCommittedBytesPerReady(perReady).withMaxApplyingBytes(applying);
  }

  /** Carries out one Ready (write, sync, advance) but applies nothing: a state machine that falls behind. */
  private static List<LogEntry> handOut(CoreUnderTest c) {
    Ready ready = c.core.ready();
    c.write(ready);
    c.core.advance(ready);
    c.core.checkInvariants();
    return ready.committedEntries();
  }

  /** Carries out Readys while there are any, never reporting applied; returns each one's committed entries. */
  private static List<List<LogEntry>> handOutAll(CoreUnderTest c) {
    List<List<LogEntry>> out = new ArrayList<>();
    for (int guard = 0; c.core.hasReady(); guard++) {
      assertTrue(guard < 1000, "hasReady() stays true");
      out.add(handOut(c));
    }
    return out;
  }

  private static long bytes(List<LogEntry> entries) {
    return entries.stream().mapToLong(LogEntry::sizeInBytes).sum();
  }

  /**
   * A node with a long committed log to apply hands it out in several Readys, each at most
   * maxCommittedBytesPerReady and never empty, in log order.
   */
  @Test
  void longCommittedLogIsHandedOutInReadysOfBoundedSize() {
    CoreUnderTest c = restartedFollower(config(1000, 64L << 20), smalls(1, 100));

    List<List<LogEntry>> readys = handOutAll(c);

    assertEquals(13, readys.size()); // 12 of eight entries, then the last four
    for (List<LogEntry> committed : readys) {
      assertFalse(committed.isEmpty());
      assertTrue(bytes(committed) <= 1000, () -> bytes(committed) + " bytes in one Ready");
    }
    assertEquals(smalls(1, 100), readys.stream().flatMap(List::stream).toList());
  }

  /**
   * Once the entries handed out and not yet applied reach maxApplyingBytes, no more go out and
   * hasReady() is false; appliedTo frees the bytes of each Ready whose last entry it covers, and
   * the handout resumes.
   */
  @Test
  void handoutPausesAtMaxApplyingBytesAndResumesAfterAppliedTo() {
    CoreUnderTest c = restartedFollower(config(1000, 2000), smalls(1, 100));
    assertEquals(smalls(1, 8), handOut(c));
    assertEquals(smalls(9, 16), handOut(c)); // 1984 bytes outstanding: the next entry would pass 2000

    assertFalse(c.core.hasReady());
    assertEquals(Ready.EMPTY, c.core.ready());
    c.core.appliedTo(4); // halfway through the first Ready: frees nothing yet
    assertFalse(c.core.hasReady());
    c.core.appliedTo(8);

    assertTrue(c.core.hasReady());
    assertEquals(smalls(17, 24), handOut(c));
    assertFalse(c.core.hasReady());
    c.core.appliedTo(24);
    assertEquals(smalls(25, 32), handOut(c));
  }

  /** A driver that never reports applied entries gets at most maxApplyingBytes of them in total. */
  @Test
  void driverThatNeverReportsAppliedGetsAtMostMaxApplyingBytes() {
    CoreUnderTest c = restartedFollower(config(1000, 2000), smalls(1, 100));

    List<LogEntry> all = handOutAll(c).stream().flatMap(List::stream).toList();

    assertEquals(smalls(1, 16), all);
    assertTrue(bytes(all) <= 2000);
  }

  /** At least one entry per Ready: one larger than maxCommittedBytesPerReady goes out alone. */
  @Test
  void entryLargerThanThePerReadyCapGoesOutAlone() {
    List<LogEntry> log = new ArrayList<>(smalls(1, 3));
    log.add(big(4));
    log.addAll(smalls(5, 7));
    CoreUnderTest c = restartedFollower(config(1000, 64L << 20), log);

    assertEquals(List.of(log.subList(0, 3), List.of(big(4)), log.subList(4, 7)), handOutAll(c));
  }

  /**
   * An entry larger than maxApplyingBytes is never stuck: it waits until nothing else is
   * outstanding, then goes out alone, and the handout pauses until it is applied.
   */
  @Test
  void entryLargerThanTheApplyingBudgetGoesOutAloneOnceNothingIsOutstanding() {
    List<LogEntry> log = new ArrayList<>(smalls(1, 2));
    log.add(big(3));
    log.add(small(4));
    CoreUnderTest c = restartedFollower(config(1000, 1000), log);

    assertEquals(smalls(1, 2), handOut(c));
    assertFalse(c.core.hasReady());
    c.core.appliedTo(2);
    assertEquals(List.of(big(3)), handOut(c));
    assertFalse(c.core.hasReady());
    c.core.appliedTo(3);
    assertEquals(List.of(small(4)), handOut(c));
  }

  /** appliedTo is idempotent and monotonic, and refuses an index never handed out, changing nothing. */
  @Test
  void appliedToAcceptsOnlyHandedOutIndexes() {
    CoreUnderTest c = restartedFollower(config(1000, 2000), smalls(1, 100));
    handOut(c);
    handOut(c);

    IllegalArgumentException past = assertThrows(IllegalArgumentException.class, () -> c.core.appliedTo(17));
    assertThrows(IllegalArgumentException.class, () -> c.core.appliedTo(-1));
    c.core.appliedTo(8);
    c.core.appliedTo(8);
    c.core.appliedTo(3);

    assertEquals("appliedTo(17) must lie within [0, 16], the entries handed out for applying", past.getMessage());
    assertEquals(8, c.core.log.applied());
    assertEquals(smalls(17, 24), handOut(c));
    c.core.checkInvariants();
  }

  /**
   * A snapshot from the leader (§7) moves the handout past the entries still being applied; their
   * bytes stay counted until appliedTo covers them, which the snapshot's own index does.
   */
  @Test
  void installedSnapshotKeepsTheBudgetUntilAppliedToCoversIt() {
    CoreUnderTest c = restartedFollower(config(1000, 2000), smalls(1, 20));
    handOut(c);
    handOut(c);
    c.step(new InstallSnapshot(N2, N1, 1, 150, 1, Fixtures.cluster(3), 0, Bytes.ofUtf8("s150"), true));
    c.step(new AppendEntries(N2, N1, 1, 150, 1, smalls(151, 152), 152, 2));

    assertEquals(List.of(), handOut(c)); // the snapshot and the new entries; 1984 bytes still outstanding
    assertFalse(c.core.hasReady());
    c.core.appliedTo(150);

    assertEquals(smalls(151, 152), handOut(c));
  }
}
