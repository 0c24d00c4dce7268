package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PreVote, thesis §9.6: a node first asks whether it could win, without raising its term. */
class PreVoteTest {

  private static RaftConfig preVote() {
    return Fixtures.plain().withPreVote(true);
  }

  /** A pre-candidate keeps its term and vote and asks for votes in term + 1 without persisting anything (§9.6). */
  @Test
  void preCandidateChangesNeitherTermNorVote() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, preVote(), Fixtures.store(3, N2, 1, 3));

    c.core.campaign();

    assertEquals(Role.PRE_CANDIDATE, c.core.role());
    assertEquals(new Ready(null, List.of(), null, false, List.of(
        new RequestVote(N1, N2, 4, 2, 3, true, false),
        new RequestVote(N1, N3, 4, 2, 3, true, false)), List.of(), List.of(), List.of(), List.of()), c.persist());
    assertEquals(new HardState(3, N2), c.store.loadHardState());
  }

  /** A voter grants a pre-vote to an up-to-date log without changing its own term or vote (§9.6). */
  @Test
  void voterGrantsPreVoteWithoutChangingTermOrVote() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, preVote(), Fixtures.store(3, N3, 1));

    c.step(new RequestVote(N2, N1, 4, 1, 1, true, false));

    assertEquals(new Ready(null, List.of(), null, false, List.of(),
        List.of(new RequestVoteResponse(N1, N2, 4, true, true)), List.of(), List.of(), List.of()), c.persist());
    assertEquals(3, c.core.term());
  }

  /** A pre-vote is refused to a log that is less up to date (§5.4.1 applies to pre-votes too). */
  @Test
  void voterRejectsPreVoteOfStaleLog() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, preVote(), Fixtures.store(3, null, 1, 3));

    c.step(new RequestVote(N2, N1, 4, 5, 2, true, false));

    assertEquals(List.of(new RequestVoteResponse(N1, N2, 3, false, true)), c.persist().sendAfterSync());
  }

  /** Leader stickiness: a follower that heard from its leader within the election timeout refuses pre-votes (§9.6, §4.2.3). */
  @Test
  void voterRejectsPreVoteWhileItsLeaderIsAlive() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, preVote(), Fixtures.store(3, null, 1));
    c.step(new AppendEntries(N3, N1, 3, 1, 1, List.of(), 1, 1));
    c.persist();

    c.step(new RequestVote(N2, N1, 4, 1, 1, true, false));

    assertEquals(List.of(new RequestVoteResponse(N1, N2, 3, false, true)), c.persist().sendAfterSync());
    assertEquals(N3, c.core.leader());
    assertEquals(3, c.core.term());
  }

  /** With pre-votes of a majority the pre-candidate becomes candidate: only now its term rises (§9.6). */
  @Test
  void preCandidateWithMajorityBecomesCandidate() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, preVote(), Fixtures.store(3, null, 1));
    c.core.campaign();
    c.persist();

    c.step(new RequestVoteResponse(N2, N1, 4, true, true));

    assertEquals(Role.CANDIDATE, c.core.role());
    Ready ready = c.persist();
    assertEquals(new HardState(4, N1), ready.hardState());
    assertEquals(List.of(new RequestVote(N1, N2, 4, 1, 1, false, false), new RequestVote(N1, N3, 4, 1, 1, false, false)),
        ready.sendAfterSync());
  }

  /** A pre-candidate rejected by a majority returns to follower in its unchanged term. */
  @Test
  void preCandidateRejectedByMajorityReturnsToFollower() {
    CoreUnderTest c = new CoreUnderTest(N1, 3, preVote(), Fixtures.store(3, null, 1));
    c.core.campaign();

    c.step(new RequestVoteResponse(N2, N1, 3, false, true));
    c.step(new RequestVoteResponse(N3, N1, 3, false, true));

    assertEquals(Role.FOLLOWER, c.core.role());
    assertEquals(3, c.core.term());
    assertNull(c.persist().hardState());
  }

  /** A node rejoining after a partition does not disrupt the healthy cluster: the leader's term stays (§9.6). */
  @Test
  void rejoiningPartitionedNodeDoesNotBumpTheTermOfAHealthyCluster() {
    Network net = new Network(3, preVote(), 11);
    NodeId leader = net.elect(100);
    long term = net.core(leader).term();
    NodeId loner = net.nodes.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    net.isolate(loner);

    net.tickAll(200); // the loner keeps timing out, but only pre-campaigns
    assertEquals(term, net.core(loner).term());
    net.heal();
    net.tickAll(50);

    assertEquals(leader, net.leader());
    assertEquals(term, net.core(leader).term());
    assertEquals(Role.FOLLOWER, net.core(loner).role());
  }

  /** Without PreVote the same rejoin disrupts the cluster: this is the problem PreVote solves. */
  @Test
  void withoutPreVoteARejoiningNodeBumpsTheTerm() {
    Network net = new Network(3, Fixtures.plain(), 11);
    NodeId leader = net.elect(100);
    long term = net.core(leader).term();
    NodeId loner = net.nodes.keySet().stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
    net.isolate(loner);

    net.tickAll(200);
    net.heal();
    net.tickAll(50);

    assertFalse(net.core(net.elect(100)).term() == term);
  }
}
