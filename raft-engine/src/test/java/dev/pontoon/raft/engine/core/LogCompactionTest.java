package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.CoreUnderTest.appends;
import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Log compaction (§7) while the runtime compacts the store on another thread: once a snapshot is
 * announced, the leader decides from its own view of the log, which starts right after the
 * snapshot, so a compaction that lands between two of its reads cannot surprise it.
 *
 * <p>Every test starts from n1, leader of a cluster of three at term 3, over a log of entries
 * 1..50 of term 1 and 51..100 of term 2 plus its no-op at 101, committed with n3 and handed out.
 * The store is read through a {@link CompactingLogReader}.
 */
class LogCompactionTest {

  private static final RaftConfig CONFIG = Fixtures.plain().withMaxEntriesPerAppend(11);
  private static final Snapshot SNAPSHOT_AT_61 = new Snapshot(new SnapshotMeta(61, 2, Fixtures.cluster(3)),
      Bytes.ofUtf8("state at 61"));
  private static final InstallSnapshot SNAPSHOT_TO_N2 = new InstallSnapshot(N1, N2, 3, 61, 2, Fixtures.cluster(3), 0,
      Bytes.ofUtf8("state at 61"), true);

  private final CompactingLogReader reader = new CompactingLogReader(Fixtures.store(2, null, terms()));
  private final RaftCore core = new RaftCore(N1, Fixtures.cluster(3), CONFIG, reader, reader.store.loadHardState(),
      0, new SplittableRandom(7));
  /** Sequence of the first probe to n2, which it has not answered yet. */
  private long n2ProbeSequence;

  private static long[] terms() {
    long[] terms = new long[100];
    Arrays.fill(terms, 0, 50, 1);
    Arrays.fill(terms, 50, 100, 2);
    return terms;
  }

  /** n1 wins term 3 with n2's vote, persists its no-op, and commits it with n3's acknowledgement. */
  private void electAndCommit() {
    core.campaign();
    persist(); // the new term and vote, durable before the vote requests leave
    core.step(new RequestVoteResponse(N2, N1, 3, true, false));
    Ready elected = persist();
    n2ProbeSequence = sequenceTo(N2, elected);
    core.step(new AppendEntriesResponse(N3, N1, 3, true, 101, 0, 0, sequenceTo(N3, elected)));
    assertEquals(101, core.commitIndex());
    assertEquals(101, persist().committedEntries().size());
  }

  /** n2 turns out to hold entries up to {@code match}: it rejects the first probe, then acknowledges the next. */
  private void n2MatchesUpTo(long match) {
    core.step(new AppendEntriesResponse(N2, N1, 3, false, 0, 0, match - 10, n2ProbeSequence));
    Ready probe = persist();
    core.step(new AppendEntriesResponse(N2, N1, 3, true, match, 0, 0, sequenceTo(N2, probe)));
    persist(); // pipelined appends after it, never answered
    assertEquals(match, core.status().progress().get(N2).matchIndex());
  }

  private Ready persist() {
    Ready ready = core.ready();
    ready.writeLogTo(reader.store);
    reader.store.sync();
    core.advance(ready);
    core.checkInvariants();
    return ready;
  }

  private static long sequenceTo(NodeId peer, Ready ready) {
    return appends(ready).stream().filter(a -> a.to().equals(peer)).findFirst().orElseThrow().sequence();
  }

  private static List<RaftMessage> sentTo(NodeId peer, Ready ready) {
    return ready.sendNow().stream().filter(m -> m.to().equals(peer)).toList();
  }

  /**
   * Heartbeats are built from the leader's view: a follower whose matchIndex lies below the
   * announced snapshot gets prevLogIndex = the snapshot's index, whose term the snapshot tells,
   * even if the store is compacted between the leader reading its bounds and reading a term (§7).
   */
  @Test
  void leaderHeartbeatsFromItsViewWhenStoreCompactedBehindIt() {
    electAndCommit();
    n2MatchesUpTo(51);
    core.snapshotAvailable(SNAPSHOT_AT_61);
    reader.compactAfterNextFirstIndex(61, 2);

    core.tick();
    core.tick();

    Ready ready = persist();
    assertEquals(1, reader.compactions);
    AppendEntries heartbeat = appends(ready).stream().filter(a -> a.to().equals(N2)).findFirst().orElseThrow();
    assertEquals(List.of(61L, 2L, 0), List.of(heartbeat.prevLogIndex(), heartbeat.prevLogTerm(),
        heartbeat.entries().size()));
  }

  /**
   * Fast backtracking (§5.3) searches the leader's log for the follower's conflicting term only
   * within the view; when the answer lies below it, the follower gets the snapshot (§7).
   */
  @Test
  void leaderBacktracksWithinItsViewWhenStoreCompactedBehindIt() {
    electAndCommit();
    core.snapshotAvailable(SNAPSHOT_AT_61);
    reader.compactAfterNextFirstIndex(61, 2);

    core.step(new AppendEntriesResponse(N2, N1, 3, false, 0, 1, 40, n2ProbeSequence));

    Ready ready = persist();
    assertEquals(1, reader.compactions);
    assertEquals(List.of(SNAPSHOT_TO_N2), sentTo(N2, ready));
  }

  /** A follower that needs entries at or below the announced snapshot gets the snapshot (§7), even mid-compaction. */
  @Test
  void leaderSendsSnapshotWhenStoreCompactedBehindItsView() {
    electAndCommit();
    core.snapshotAvailable(SNAPSHOT_AT_61);
    reader.compactAfterNextFirstIndex(61, 2);

    core.step(new AppendEntriesResponse(N2, N1, 3, false, 0, 0, 31, n2ProbeSequence));

    assertEquals(List.of(SNAPSHOT_TO_N2), sentTo(N2, persist()));
  }

  /**
   * The leader's view starts after the announced snapshot whether or not the store was compacted
   * yet: which of the two a lagging follower gets never depends on how fast the sync thread is.
   */
  @Test
  void leaderSendsSnapshotToFollowerBelowAnnouncedSnapshotBeforeStoreCompacts() {
    electAndCommit();
    core.snapshotAvailable(SNAPSHOT_AT_61);

    core.step(new AppendEntriesResponse(N2, N1, 3, false, 0, 0, 31, n2ProbeSequence));

    assertEquals(List.of(SNAPSHOT_TO_N2), sentTo(N2, persist()));
    assertEquals(1, reader.store.firstIndex());
  }

  /** A snapshot holds applied state only: one past the entries handed out for applying is refused, and changes nothing. */
  @Test
  void snapshotOfEntriesNotYetHandedOutIsRefused() {
    core.campaign();
    persist(); // the new term and vote, durable before the vote requests leave
    core.step(new RequestVoteResponse(N2, N1, 3, true, false));
    persist();

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> core.snapshotAvailable(SNAPSHOT_AT_61));

    assertEquals("snapshot at 61 covers entries not yet handed out for applying (up to 0)", e.getMessage());
    assertNull(core.latestSnapshot);
    assertEquals(1, core.log.firstIndex());
  }

  /**
   * Defence in depth: a read for one follower that finds the log compacted anyway (here the
   * store went past the announced snapshot, which the runtime must never do) costs that follower
   * its send, not the leader its leadership: the follower waits for a snapshot, the others are
   * served as before.
   */
  @Test
  void leaderSkipsFollowerWhoseReadFindsLogCompactedBeyondItsView() {
    electAndCommit();
    n2MatchesUpTo(70);
    core.snapshotAvailable(SNAPSHOT_AT_61);
    reader.compactAfterNextFirstIndex(81, 2);

    core.tick();
    core.tick();

    Ready ready = persist();
    assertTrue(sentTo(N2, ready).isEmpty(), () -> "sent to n2: " + sentTo(N2, ready));
    AppendEntries heartbeat = appends(ready).stream().filter(a -> a.to().equals(N3)).findFirst().orElseThrow();
    assertEquals(List.of(101L, 3L), List.of(heartbeat.prevLogIndex(), heartbeat.prevLogTerm()));
    assertEquals(ProgressState.SNAPSHOT, core.leaderState.progress.get(N2).state);
  }
}
