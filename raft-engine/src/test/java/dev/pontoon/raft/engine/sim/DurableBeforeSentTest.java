package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Figure 2: a message leaves only once the term, vote and log it promises are on stable storage. */
class DurableBeforeSentTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static String check(RaftMessage message, HardState durable, long durableLogIndex) {
    return DurableBeforeSent.unpersisted(message, durable, durableLogIndex, 0);
  }

  @Test
  void aMessageOfATermNotYetDurableIsCaught() {
    assertNotNull(check(new RequestVoteResponse(N1, N2, 3, false, false), new HardState(2, null), 0));
  }

  @Test
  void aPreVoteProbeAndItsAnswerPromiseNothing() {
    assertNull(check(new RequestVote(N1, N2, 3, 0, 0, true, false), HardState.INITIAL, 0));
    assertNull(check(new RequestVoteResponse(N1, N2, 3, true, true), HardState.INITIAL, 0));
  }

  @Test
  void aCandidateAsksForVotesOnlyOnceItsVoteForItselfIsDurable() {
    assertNotNull(check(new RequestVote(N1, N2, 3, 0, 0, false, false), new HardState(3, null), 0));
    assertNull(check(new RequestVote(N1, N2, 3, 0, 0, false, false), new HardState(3, N1), 0));
  }

  @Test
  void aVoteIsGrantedOnlyOnceItIsDurable() {
    assertNotNull(check(new RequestVoteResponse(N1, N2, 3, true, false), new HardState(3, null), 0));
    assertNotNull(check(new RequestVoteResponse(N1, N2, 3, true, false), new HardState(3, N3), 0));
    assertNull(check(new RequestVoteResponse(N1, N2, 3, true, false), new HardState(3, N2), 0));
  }

  @Test
  void aFollowerAcknowledgesOnlyTheLogItHoldsDurably() {
    AppendEntriesResponse ack = new AppendEntriesResponse(N1, N2, 3, true, 7, 0, 0, 1);
    assertNotNull(check(ack, new HardState(3, null), 6));
    assertNull(check(ack, new HardState(3, null), 7));
    assertNull(DurableBeforeSent.unpersisted(ack, new HardState(3, null), 0, 7), "a durable snapshot holds it");
  }

  @Test
  void aSnapshotIsAcknowledgedOnlyOnceItsPrefixIsDurable() {
    InstallSnapshotResponse installed = new InstallSnapshotResponse(N1, N2, 3, 9, 0, true);
    assertNotNull(check(installed, new HardState(3, null), 4));
    assertNull(DurableBeforeSent.unpersisted(installed, new HardState(3, null), 4, 9));
  }

  @Test
  void aLeaderMaySendEntriesBeforeItsOwnWriteIsDurable() {
    AppendEntries append = new AppendEntries(N1, N2, 3, 0, 0, List.of(), 0, 1);
    assertNull(check(append, new HardState(3, N1), 0));
  }

  /**
   * A message leaving after its sender made a later term durable is settled by that term: the
   * node never votes in the older term again.
   */
  @Test
  void aMessageOfATermBelowTheDurableOneIsCheckedForItsTermOnly() {
    assertNull(check(new RequestVoteResponse(N1, N2, 2, true, false), new HardState(3, N3), 0));
    assertNull(check(new AppendEntriesResponse(N1, N2, 2, true, 7, 0, 0, 1), new HardState(3, null), 4));
  }

  /**
   * While a later term is only written, a message of the durable term is checked in full: its log
   * promise against what a sync made durable, even if the new term's leader has since replaced
   * those entries (found by review: such a message was checked for its term only).
   */
  @Test
  void aMessageOfTheDurableTermIsCheckedInFullWhileALaterTermIsOnlyWritten() {
    InMemoryLogStore disk = new InMemoryLogStore();
    disk.saveHardState(new HardState(2, null));
    for (long i = 1; i <= 4; i++) {
      disk.append(List.of(LogEntry.command(i, 2, Bytes.ofUtf8("e" + i))));
    }
    DurableBeforeSent durable = new DurableBeforeSent();
    durable.synced(disk);
    disk.append(List.of(LogEntry.command(5, 2, Bytes.ofUtf8("e5"))));
    disk.saveHardState(new HardState(3, N3));
    disk.truncateSuffix(3);
    durable.truncated(disk);

    assertNotNull(durable.unpersisted(new AppendEntriesResponse(N1, N2, 2, true, 5, 0, 0, 1), 3, 0),
        "entry 5 was never synced");
    assertNull(durable.unpersisted(new AppendEntriesResponse(N1, N2, 2, true, 4, 0, 0, 1), 3, 0),
        "entries 3 and 4 were durable when acknowledged, and replaced since");
    assertNotNull(durable.unpersisted(new RequestVoteResponse(N1, N2, 2, true, false), 3, 0),
        "the disk holds no vote in term 2");
  }

  /**
   * What a crashed process wrote and the machine's cache kept is readable by the next process, but
   * no promise may rest on it before a sync (found missing: recovery once read such entries and
   * acknowledged them unsynced).
   */
  @Test
  void entriesAProcessCrashKeptUnsyncedBackNoAcknowledgementUntilSynced() {
    InMemoryLogStore disk = new InMemoryLogStore();
    disk.saveHardState(new HardState(2, null));
    disk.append(List.of(LogEntry.command(1, 2, Bytes.ofUtf8("x"))));
    disk.sync();
    disk.append(List.of(LogEntry.command(2, 2, Bytes.ofUtf8("y"))));
    InMemoryLogStore restarted = disk.processCrashCopy(1);
    DurableBeforeSent durable = new DurableBeforeSent();
    durable.crashed(restarted);
    AppendEntriesResponse ack = new AppendEntriesResponse(N1, N2, 2, true, 2, 0, 0, 1);

    assertNotNull(durable.unpersisted(ack, 2, 0));
    durable.synced(restarted);
    assertNull(durable.unpersisted(ack, 2, 0));
  }

  /** Entries replaced in the log (as a new leader asks) are not the durable ones until the next sync. */
  @Test
  void entriesWrittenOverATruncationBackNoAcknowledgementUntilSynced() {
    InMemoryLogStore disk = new InMemoryLogStore();
    disk.saveHardState(new HardState(3, null));
    disk.append(List.of(LogEntry.command(1, 1, Bytes.ofUtf8("x")), LogEntry.command(2, 1, Bytes.ofUtf8("y"))));
    DurableBeforeSent durable = new DurableBeforeSent();
    durable.synced(disk);
    disk.truncateSuffix(2);
    durable.truncated(disk);
    disk.append(List.of(LogEntry.command(2, 3, Bytes.ofUtf8("z"))));
    AppendEntriesResponse ack = new AppendEntriesResponse(N1, N2, 3, true, 2, 0, 0, 1);

    assertNotNull(durable.unpersisted(ack, 3, 0));
    durable.synced(disk);
    assertNull(durable.unpersisted(ack, 3, 0));
  }
}
