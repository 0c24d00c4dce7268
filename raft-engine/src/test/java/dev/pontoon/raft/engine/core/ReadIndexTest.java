package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.CoreUnderTest.appends;
import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ReadIndex, thesis §6.4: linearizable reads without writing to the log. */
class ReadIndexTest {

  /** A leader that has not yet committed an entry of its term holds reads back until its no-op commits (§6.4). */
  @Test
  void readWaitsForTheNoOpOfTheTermToCommit() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1, 1, 1);

    c.core.readIndex(42);
    c.step(c.ack(N2, 2, 1)); // acknowledges a heartbeat round, but the term-2 no-op is not committed
    assertTrue(c.persist().readsReady().isEmpty());

    c.step(c.ack(N2, 3, 1)); // no-op committed: the read gets readIndex 3, then needs a heartbeat quorum
    Ready ready = c.persist();
    assertTrue(ready.readsReady().isEmpty());
    AppendEntries heartbeat = appends(ready).get(0);
    c.step(c.ack(N2, 3, heartbeat.sequence()));

    assertEquals(List.of(new ReadState(42, 3)), c.persist().readsReady());
  }

  /** A read is confirmed once a majority (counting the leader) answered an AppendEntries sent after it was registered (§6.4). */
  @Test
  void readIsConfirmedByAHeartbeatQuorum() {
    CoreUnderTest c = CoreUnderTest.leader(5, Fixtures.plain(), 1);
    for (int i = 2; i <= 5; i++) {
      c.step(c.ack(Fixtures.n(i), 1, i - 1));
    }
    c.persist();

    c.core.readIndex(7);
    List<AppendEntries> heartbeats = appends(c.persist());
    assertEquals(4, heartbeats.size());
    c.step(c.ack(N2, 1, 4)); // an answer to an older message proves nothing about this read
    c.step(c.ack(N2, 1, heartbeats.get(0).sequence()));
    assertTrue(c.persist().readsReady().isEmpty(), "leader + n2 is not a majority of 5");
    c.step(new AppendEntriesResponse(N3, N1, 2, false, 0, 0, 0, heartbeats.get(1).sequence()));

    assertEquals(List.of(new ReadState(7, 1)), c.persist().readsReady());
  }

  /** An answer to an AppendEntries of an older term echoes sequence 0 and can never confirm a read. */
  @Test
  void answersToStaleTermMessagesConfirmNothing() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    c.step(c.ack(N2, 1, 1));
    c.persist();
    c.core.readIndex(1);
    c.persist();

    c.step(new AppendEntriesResponse(N2, N1, 2, false, 0, 0, 0, 0));

    assertTrue(c.persist().readsReady().isEmpty());
  }

  /** A leader that steps down aborts every pending read (the node can no longer confirm them). */
  @Test
  void pendingReadsAreAbortedOnStepDown() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1, 1);
    c.core.readIndex(1); // waits for the no-op
    c.step(c.ack(N2, 2, 1));
    c.core.readIndex(2); // waits for a heartbeat quorum
    c.persist();

    c.step(new RequestVoteResponse(N3, N1, 9, false, false));

    assertEquals(List.of(1L, 2L), c.persist().readsAborted());
  }

  /** A single-voter leader confirms reads at once: it is a majority by itself. */
  @Test
  void singleVoterConfirmsReadsImmediately() {
    CoreUnderTest c = new CoreUnderTest(N1, 1, Fixtures.plain());
    c.core.campaign();
    c.persist();

    c.core.readIndex(5);

    assertEquals(List.of(new ReadState(5, 1)), c.persist().readsReady());
  }

  /** Reads are served by the leader only. */
  @Test
  void followerRefusesReadsNamingTheLeader() {
    CoreUnderTest c = CoreUnderTest.follower(3, 2);
    c.step(new AppendEntries(N2, N1, 2, 0, 0, List.of(), 0, 1));

    NotLeaderException e = assertThrows(NotLeaderException.class, () -> c.core.readIndex(1));
    assertEquals(N2, e.leaderHint().orElseThrow());
  }

  /** Reads registered later get a later index, after the writes committed before them. */
  @Test
  void readIndexIsTheCommitIndexAtRegistration() {
    Network net = new Network(3, Fixtures.plain(), 13);
    var leader = net.elect(100);
    net.core(leader).propose(cmd("a"));
    net.stabilize();

    net.core(leader).readIndex(9);
    net.stabilize();

    assertEquals(2, net.core(leader).commitIndex());
    assertEquals(List.of(new ReadState(9, 2)), net.node(leader).reads);
  }

  /**
   * A read waiting for a heartbeat quorum is confirmed as soon as the configuration in force makes
   * the leader a quorum by itself (a lone voter after removing the other voters): no other leader
   * can be elected without it, so the read index is safe (thesis §6.4), and no acknowledgement will
   * ever come to confirm it otherwise.
   */
  @Test
  void pendingReadIsConfirmedWhenTheLeaderBecomesALoneVoter() {
    CoreUnderTest c = CoreUnderTest.leader(2, Fixtures.plain(), 1, 1);
    c.step(c.ack(N2, 2, 1)); // the no-op of term 2 commits
    c.persist();
    c.core.readIndex(3); // needs n2's answer to a heartbeat sent from now on; n2 is gone
    c.persist();

    c.core.proposeConfigChange(List.of(new MemberChange.Remove(N2)));
    List<ReadState> confirmed = new ArrayList<>(c.persist().readsReady());
    confirmed.addAll(c.persist().readsReady()); // the change committed with n1 alone (thesis §4.1)

    assertEquals(3, c.core.commitIndex());
    assertEquals(List.of(new ReadState(3, 2)), confirmed);
  }
}
