package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.CoreUnderTest.appends;
import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The leader's flow control (etcd's rules on top of §5.3): an answer that brings no news — a
 * duplicate, or an answer older than one already seen — sends nothing, so a network that
 * duplicates or reorders messages cannot multiply the leader's sends. Only the first answer to a
 * message may unblock a stalled follower, and a rejection of a message sent before nextIndex
 * last changed is ignored.
 */
class FlowControlTest {

  /** A leader of two whose follower n2 acknowledged the no-op (sequence 1) and now lags by two entries in flight. */
  private static CoreUnderTest leaderWithLaggingReplicateFollower(RaftConfig config) {
    CoreUnderTest c = CoreUnderTest.leader(2, config, 1, 1);
    c.step(c.ack(N2, 2, 1)); // the election probe is answered: REPLICATE from 3
    c.persist();
    c.core.propose(cmd("a"));
    c.core.propose(cmd("b"));
    assertEquals(List.of(new AppendEntries(N1, N2, 2, 2, 2, List.of(LogEntry.command(3, 2, cmd("a")),
        LogEntry.command(4, 2, cmd("b"))), 2, 2)), appends(c.persist()));
    return c;
  }

  /** A duplicated acknowledgement tells nothing new: the leader sends nothing while entries are in flight. */
  @Test
  void duplicateAcknowledgementDoesNotTriggerAnotherAppend() {
    CoreUnderTest c = leaderWithLaggingReplicateFollower(Fixtures.plain());

    c.step(c.ack(N2, 2, 1)); // the network delivers the first acknowledgement again

    assertEquals(Ready.EMPTY, c.persist());
    assertEquals(new CoreStatus.PeerProgress(2, 5), c.core.status().progress().get(N2));
  }

  /** An answer older than one already seen (reordered) sends nothing either, however often it comes. */
  @Test
  void reorderedOlderAcknowledgementDoesNotTriggerAnotherAppend() {
    CoreUnderTest c = leaderWithLaggingReplicateFollower(Fixtures.plain());
    c.core.propose(cmd("c"));
    c.persist(); // sequence 3 carries entry 5
    c.step(c.ack(N2, 4, 2)); // news: 3 and 4 commit, and entry 5 is already in flight
    assertEquals(List.of(), appends(c.persist()));

    for (int copy = 0; copy < 3; copy++) {
      c.step(c.ack(N2, 2, 1));
      c.step(c.ack(N2, 4, 2));
      assertEquals(Ready.EMPTY, c.persist(), "copy " + copy);
    }
  }

  /** In PROBE with a probe outstanding, a duplicated answer to a heartbeat does not send another probe. */
  @Test
  void duplicateHeartbeatAnswerDoesNotTriggerAnotherProbe() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1, 1);
    c.step(c.ack(N3, 2, 2)); // n3 commits the no-op; n2's probe (sequence 1) is still unanswered
    c.persist();
    c.core.readIndex(7);
    List<AppendEntries> heartbeats = appends(c.persist());
    assertEquals(new AppendEntries(N1, N2, 2, 0, 0, List.of(), 2, 3), heartbeats.get(0));

    c.step(c.ack(N2, 0, 3)); // first answer to the heartbeat: n2 is reachable, so probe again (etcd)
    assertEquals(1, appends(c.persist()).size());
    c.step(c.ack(N2, 0, 3)); // its duplicate

    assertEquals(Ready.EMPTY, c.persist());
  }

  /**
   * A full window whose messages were lost is unblocked by the first answer to the next
   * heartbeat (etcd's heartbeat-response rule), once: the answer's duplicates send nothing.
   */
  @Test
  void firstHeartbeatAnswerUnblocksAFullWindowOnceButItsDuplicatesDoNot() {
    CoreUnderTest c = leaderWithLaggingReplicateFollower(Fixtures.plain().withMaxInflightAppends(1));
    c.core.propose(cmd("c"));
    assertEquals(List.of(), appends(c.persist()), "the window of one is full");
    c.core.tick();
    c.core.tick();
    assertEquals(List.of(new AppendEntries(N1, N2, 2, 2, 2, List.of(), 2, 3)), appends(c.persist()));

    c.step(c.ack(N2, 2, 3)); // the append (sequence 2) was lost; the heartbeat got through

    AppendEntries resent = appends(c.persist()).get(0);
    assertEquals(4, resent.prevLogIndex());
    assertEquals(List.of(LogEntry.command(5, 2, cmd("c"))), resent.entries());
    c.step(c.ack(N2, 2, 3));
    c.step(c.ack(N2, 2, 3));
    assertEquals(Ready.EMPTY, c.persist());
  }

  /**
   * A rejection answering a message sent before nextIndex last changed is stale and ignored:
   * here a heartbeat n3 rejected before it installed the snapshot whose answer put it in
   * REPLICATE.
   */
  @Test
  void staleRejectionIsIgnored() {
    var store = Fixtures.store(1, null, 1, 1, 1, 1);
    store.truncatePrefix(3, 1);
    RaftCore core = new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), store, store.loadHardState(), 3,
        new SplittableRandom(1));
    core.snapshotAvailable(new Snapshot(new SnapshotMeta(3, 1, Fixtures.cluster(3)), Bytes.ofUtf8("s3")));
    core.campaign();
    core.step(new RequestVoteResponse(N2, N1, 2, true, false));
    Ready elected = core.ready();
    store.append(elected.entriesToAppend());
    core.advance(elected);
    core.step(new AppendEntriesResponse(N3, N1, 2, false, 0, 0, 1, 2)); // n3's log is empty: snapshot
    core.ready();
    core.tick();
    core.tick();
    assertEquals(new AppendEntries(N1, N3, 2, 3, 1, List.of(), 3, 4), appends(core.ready()).get(1));
    core.step(new InstallSnapshotResponse(N3, N1, 2, 3, 2, true));
    assertEquals(5, appends(core.ready()).get(0).sequence());

    core.step(new AppendEntriesResponse(N3, N1, 2, false, 0, 0, 1, 4)); // n3 got the heartbeat first

    assertEquals(Ready.EMPTY, core.ready());
    assertEquals(new CoreStatus.PeerProgress(3, 6), core.status().progress().get(N3));
    core.checkInvariants();
  }
}
