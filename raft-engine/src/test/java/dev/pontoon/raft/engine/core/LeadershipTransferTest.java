package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.TimeoutNow;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leadership transfer, thesis §3.10. */
class LeadershipTransferTest {

  /** A target whose log is up to date is sent TimeoutNow at once. */
  @Test
  void upToDateTargetIsSentTimeoutNow() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    c.step(c.ack(N2, 1, 1));
    c.persist();

    c.core.transferLeadership(N2);

    assertEquals(List.of(new TimeoutNow(N1, N2, 2)), c.persist().sendNow());
  }

  /** A lagging target is first brought up to date, then sent TimeoutNow (§3.10). */
  @Test
  void laggingTargetIsCaughtUpFirst() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    c.step(c.ack(N2, 1, 1));
    c.persist();
    c.core.propose(cmd("x"));
    c.persist();

    c.core.transferLeadership(N2);
    assertTrue(c.persist().sendNow().stream().noneMatch(m -> m instanceof TimeoutNow));
    c.step(c.ack(N2, 2, 2));

    assertTrue(c.persist().sendNow().contains(new TimeoutNow(N1, N2, 2)));
  }

  /** During a transfer the leader refuses proposals, naming the target (§3.10). */
  @Test
  void proposalsAreRefusedDuringTransfer() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    c.core.transferLeadership(N2);

    NotLeaderException e = assertThrows(NotLeaderException.class, () -> c.core.propose(cmd("x")));

    assertEquals(N2, e.leaderHint().orElseThrow());
    assertEquals(1, c.core.status().lastIndex(), "nothing was appended");
  }

  /** A transfer that does not complete within an election timeout is abandoned: proposals are accepted again. */
  @Test
  void transferIsAbortedAfterAnElectionTimeout() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);
    c.core.transferLeadership(N2);

    for (int i = 0; i < 10; i++) {
      c.core.tick();
    }

    assertEquals(2, c.core.propose(cmd("x")).index());
  }

  /** TimeoutNow makes the target campaign at once, skipping PreVote, with the transfer flag set. */
  @Test
  void targetCampaignsImmediatelyOnTimeoutNow() {
    CoreUnderTest c = new CoreUnderTest(N2, 3, Fixtures.plain().withPreVote(true).withCheckQuorum(true),
        Fixtures.store(2, null, 1));

    c.step(new TimeoutNow(N1, N2, 2));

    assertEquals(Role.CANDIDATE, c.core.role());
    Ready ready = c.persist();
    assertEquals(new HardState(3, N2), ready.hardState());
    assertEquals(List.of(new RequestVote(N2, N1, 3, 1, 1, false, true), new RequestVote(N2, N3, 3, 1, 1, false, true)),
        ready.sendAfterSync());
  }

  /** A transfer vote request bypasses the lease of followers that still hear from the old leader (§3.10). */
  @Test
  void transferVoteBypassesLeaderStickiness() {
    CoreUnderTest c = new CoreUnderTest(N3, 3, Fixtures.plain().withCheckQuorum(true), Fixtures.store(2, null, 1));
    c.step(new AppendEntries(N1, N3, 2, 1, 1, List.of(), 1, 1));

    c.step(new RequestVote(N2, N3, 3, 1, 1, false, true));

    assertEquals(3, c.core.term());
    assertEquals(N2, c.core.status().votedFor());
  }

  /** On a network, the transfer ends with the target as leader of a later term. */
  @Test
  void transferHandsLeadershipToTheTarget() {
    Network net = new Network(3, Fixtures.plain().withPreVote(true).withCheckQuorum(true), 14);
    NodeId leader = net.elect(100);
    NodeId target = leader.equals(N3) ? N2 : N3;
    long term = net.core(leader).term();

    net.core(leader).transferLeadership(target);
    net.stabilize();

    assertEquals(target, net.leader());
    assertEquals(term + 1, net.core(target).term());
    assertEquals(Role.FOLLOWER, net.core(leader).role());
  }

  @Test
  void transferToANonVoterIsRejected() {
    CoreUnderTest c = CoreUnderTest.leader(3, Fixtures.plain(), 1);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> c.core.transferLeadership(NodeId.of("stranger")));

    assertTrue(e.getMessage().contains("not a voter"));
    assertEquals(2, c.core.propose(cmd("still leading")).index());
  }

  @Test
  void transferOnAFollowerIsRefused() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1);
    assertThrows(NotLeaderException.class, () -> c.core.transferLeadership(N2));
  }
}
