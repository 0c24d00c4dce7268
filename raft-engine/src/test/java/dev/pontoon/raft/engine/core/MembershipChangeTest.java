package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.N4;
import static dev.pontoon.raft.engine.core.Fixtures.N5;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static dev.pontoon.raft.engine.core.MembershipFixtures.clusterLedByN1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.MembershipChangeException.Reason;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.TimeoutNow;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Membership changes, thesis chapter 4: learners, one change at a time with the single-server bug fix, removing members and the leader. */
class MembershipChangeTest {

  // ------------------------------------------------------------ learners

  /** A node started outside any configuration accepts the leader's log and learns it is a learner. */
  @Test
  void aJoiningNodeReceivesTheLogAndItsConfiguration() {
    Network net = clusterLedByN1(3, N4);

    net.core(N1).proposeConfigChange(List.of(new MemberChange.AddLearner(N4, "host4:7000")));
    net.stabilize();

    RaftCore learner = net.core(N4);
    assertEquals(Set.of(N4), learner.config().learners());
    assertEquals("host4:7000", learner.config().address(N4).orElseThrow());
    assertEquals(net.core(N1).status().lastIndex(), learner.status().lastIndex());
    assertEquals(net.core(N1).commitIndex(), learner.commitIndex());
  }

  /** A learner holds the log but never counts towards a quorum (thesis §4.2.1). */
  @Test
  void aLearnerIsNeverCountedInAQuorum() {
    Network net = clusterLedByN1(3, N4);
    RaftCore leader = net.core(N1);
    leader.proposeConfigChange(List.of(new MemberChange.AddLearner(N4, null)));
    net.stabilize();
    net.partition(Set.of(N1, N4), Set.of(N2, N3));

    Proposal p = leader.propose(cmd("x"));
    net.stabilize();

    assertEquals(p.index(), net.core(N4).status().lastIndex());
    assertTrue(leader.commitIndex() < p.index(), "committed with only a learner's copy");
  }

  /** A learner never starts an election, not even when asked to by a leadership transfer. */
  @Test
  void aLearnerNeverCampaigns() {
    Network net = clusterLedByN1(3, N4);
    net.core(N1).proposeConfigChange(List.of(new MemberChange.AddLearner(N4, null)));
    net.stabilize();
    net.isolate(N4);
    long term = net.core(N4).term();

    for (int i = 0; i < 200; i++) {
      net.tick(N4);
    }
    net.core(N4).step(new TimeoutNow(N1, N4, term));

    assertEquals(Role.FOLLOWER, net.core(N4).role());
    assertEquals(term, net.core(N4).term());
  }

  /**
   * A learner that stops hearing from its leader stops counting on it: after an election timeout
   * it grants the pre-votes a new leader needs (it never campaigns itself). Otherwise a learner
   * (or a voter-to-be whose log does not yet say so) could refuse them forever.
   */
  @Test
  void aLearnerThatLostItsLeaderGrantsPreVotes() {
    Network net = new Network(Fixtures.cluster(3), RaftConfig.defaults(), 11, java.util.Map.of());
    net.addJoiningNode(N4);
    NodeId leader = net.elect(300);
    net.core(leader).proposeConfigChange(List.of(new MemberChange.AddLearner(N4, null)));
    net.tickAll(3);
    RaftCore learner = net.core(N4);
    assertEquals(leader, learner.leader());
    net.isolate(leader);
    net.isolate(N4);
    long term = learner.term();

    for (int i = 0; i < 25; i++) {
      net.tick(N4);
    }
    learner.step(new RequestVote(N5, N4, term + 1, 1_000, term, true, false));

    RequestVoteResponse answer = (RequestVoteResponse) learner.ready().sendAfterSync().get(0);
    assertTrue(answer.voteGranted());
    assertEquals(Role.FOLLOWER, learner.role());
  }

  // ------------------------------------------------------------ one change at a time, §4.1 bug fix

  /**
   * The thesis' single-server bug (§4.1 erratum): a leader elected while a change of an earlier
   * term is uncommitted must not propose a change before it commits an entry of its own term.
   * Here n1 (term 2) added n5 on itself and n5 only; n2 is elected in term 3 by n2, n3, n4 but
   * its no-op reaches n3 only. Removing n1 now would commit on {n2, n3} of {n2, n3, n4}, and n1
   * could then be elected by n1, n4, n5 (a majority of its own configuration) and overwrite it.
   */
  @Test
  void aNewLeaderChangesNothingBeforeCommittingAnEntryOfItsTerm() {
    Network net = clusterLedByN1(4, N5);
    net.partition(Set.of(N1, N5), Set.of(N2, N3, N4));
    net.core(N1).proposeConfigChange(List.of(new MemberChange.AddVoter(N5, null)));
    net.stabilize();
    assertTrue(net.core(N5).config().voters().contains(N5));
    net.dropWhere(m -> m.from().equals(N2) && m.to().equals(N4) && m instanceof AppendEntries);

    net.campaign(N2);
    RaftCore n2 = net.core(N2);
    assertEquals(Role.LEADER, n2.role());

    MembershipChangeException e = assertThrows(MembershipChangeException.class,
        () -> n2.proposeConfigChange(List.of(new MemberChange.Remove(N1))));
    assertEquals(Reason.CHANGE_IN_PROGRESS, e.reason());
    net.dropWhere(m -> false);
    net.tickAll(3);
    n2.proposeConfigChange(List.of(new MemberChange.Remove(N1)));
  }

  /** Only one change may be in flight: a second one is refused until the first commits. */
  @Test
  void aSecondChangeIsRefusedWhileOneIsInFlight() {
    Network net = clusterLedByN1(3, N4, N5);
    RaftCore leader = net.core(N1);
    net.isolate(N2);
    net.isolate(N3);
    leader.proposeConfigChange(List.of(new MemberChange.AddLearner(N4, null)));

    MembershipChangeException e = assertThrows(MembershipChangeException.class,
        () -> leader.proposeConfigChange(List.of(new MemberChange.AddLearner(N5, null))));
    assertEquals(Reason.CHANGE_IN_PROGRESS, e.reason());
    net.heal();
    net.tickAll(3);
    leader.proposeConfigChange(List.of(new MemberChange.AddLearner(N5, null)));
  }

  // ------------------------------------------------------------ removing the leader, §4.2.2

  /**
   * A leader that removes itself keeps leading until C_new commits, then steps down and tells an
   * up-to-date voter to campaign at once: a new leader is elected without any tick.
   */
  @Test
  void aRemovedLeaderStepsDownOnceTheChangeCommits() {
    Network net = clusterLedByN1(3);
    RaftCore leader = net.core(N1);

    Proposal p = leader.proposeConfigChange(List.of(new MemberChange.Remove(N1)));
    assertEquals(Role.LEADER, leader.role(), "leads until the change commits");
    net.stabilize();

    assertTrue(leader.commitIndex() >= p.index());
    assertNotEquals(Role.LEADER, leader.role());
    NodeId successor = net.leader();
    assertNotNull(successor, "a successor was elected without waiting for an election timeout");
    assertNotEquals(N1, successor);
    assertEquals(Fixtures.cluster(3).voters().size() - 1, net.core(successor).config().voters().size());
  }

  /**
   * A removed follower gets the log up to the entry that removes it (while that entry commits it
   * is still replicated to, never counted), so it knows it is no voter and never campaigns; then
   * the leader forgets it.
   */
  @Test
  void aRemovedFollowerLearnsOfItsRemovalAndStaysQuiet() {
    Network net = clusterLedByN1(3);
    RaftCore leader = net.core(N1);

    Proposal p = leader.proposeConfigChange(List.of(new MemberChange.Remove(N3)));
    net.stabilize();

    assertTrue(leader.commitIndex() >= p.index());
    assertFalse(net.core(N3).config().contains(N3));
    assertFalse(leader.status().progress().containsKey(N3));
    long term = net.core(N3).term();
    for (int i = 0; i < 200; i++) {
      net.tick(N3);
    }
    assertEquals(term, net.core(N3).term());
  }

  /**
   * A leader that removed itself and crashed before the removal committed holds the only log the
   * remaining voter accepts, and that voter needs its vote (two voters): it may campaign for the
   * configuration that removed it, commit the removal as leader, and hand over.
   */
  @Test
  void aLeaderRemovedByAnUncommittedChangeMayStillFinishIt() {
    Network net = clusterLedByN1(2);
    net.partition(Set.of(N1), Set.of(N2));
    Proposal p = net.core(N1).proposeConfigChange(List.of(new MemberChange.Remove(N1)));
    net.stabilize();
    net.crash(N1);
    net.restart(N1);
    net.heal();

    net.tickAll(200);

    assertEquals(N2, net.leader());
    assertEquals(ClusterConfig.ofVoters("n2"), net.core(N2).config());
    assertTrue(net.core(N2).commitIndex() >= p.index());
  }

  /**
   * A new leader whose latest configuration removes a member that the committed one still holds
   * keeps replicating to that member until the removal commits, as the leader that appended the
   * removal does ({@code Replication.membersChanged}): so the member learns of its removal instead
   * of campaigning at ever higher terms while the removal waits for a quorum.
   */
  @Test
  void aNewLeaderReplicatesToAMemberThatOnlyAnUncommittedChangeRemoves() {
    Network net = clusterLedByN1(3);
    // N3 is cut off, and N1 never hears that N2 took the change: it stays uncommitted.
    net.dropWhere(m -> m.to().equals(N3) || m.from().equals(N3)
        || (m instanceof AppendEntriesResponse && m.to().equals(N1)));
    Proposal p = net.core(N1).proposeConfigChange(List.of(new MemberChange.Remove(N3)));
    net.stabilize();
    assertTrue(net.core(N2).status().lastIndex() >= p.index());
    assertTrue(net.core(N1).commitIndex() < p.index());
    net.crash(N1);
    net.restart(N1);
    // N2 leads {N1, N2} with N1's vote; N1's acknowledgements are lost, so the removal stays
    // uncommitted. N3 is reachable again.
    net.dropWhere(m -> m instanceof AppendEntriesResponse && m.from().equals(N1));
    net.campaign(N2);
    assertEquals(N2, net.leader());
    assertTrue(net.core(N2).commitIndex() < p.index());

    net.stabilize();

    assertTrue(net.core(N3).status().lastIndex() >= p.index(), "N3 never received the change that removes it");
    assertFalse(net.core(N3).config().contains(N3));
  }

  /** A removed node cannot disrupt the cluster: its elections go nowhere while a leader is alive (PreVote). */
  @Test
  void aRemovedNodeCannotDisruptTheCluster() {
    Network net = new Network(3, RaftConfig.defaults(), 5);
    NodeId leaderId = net.elect(200);
    NodeId removed = leaderId.equals(N3) ? N2 : N3;
    net.core(leaderId).proposeConfigChange(List.of(new MemberChange.Remove(removed)));
    net.tickAll(5);
    long term = net.core(leaderId).term();
    // The removed node never learns it was removed: it hears nothing more and keeps campaigning.
    net.dropWhere(m -> m.to().equals(removed) && m instanceof AppendEntries);

    net.tickAll(200);

    assertEquals(leaderId, net.leader());
    assertEquals(term, net.core(leaderId).term());
  }

  /** A vote request from a node outside the configuration is answered like any other (thesis §4.1). */
  @Test
  void aCandidateOutsideTheConfigurationIsAnswered() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);

    c.step(new RequestVote(N5, N1, 2, 1, 1, false, false));

    assertEquals(2, c.core.term());
    assertEquals(N5, c.core.status().votedFor());
  }

  /**
   * A removed node that did not answer is kept in the leader's progress for an election timeout
   * after its removal commits. Wiped and added again within it, it must be caught up from
   * scratch: the old progress (match index 4) would have the leader probe from index 4 forever
   * against an empty log, whose rejections never move it below its match index.
   */
  @Test
  void aNodeRemovedAndAddedAgainAtOnceIsCaughtUpFromScratch() {
    Network net = clusterLedByN1(3);
    RaftCore leader = net.core(N1);
    for (int i = 0; i < 3; i++) {
      leader.propose(cmd("x" + i));
    }
    net.stabilize();
    net.dropWhere(m -> m.to().equals(N3) || m.from().equals(N3));
    for (int i = 0; i < 3; i++) {
      leader.propose(cmd("y" + i));
    }
    net.stabilize();
    Proposal removal = leader.proposeConfigChange(List.of(new MemberChange.Remove(N3)));
    net.stabilize();
    assertTrue(leader.commitIndex() >= removal.index(), "the removal committed without n3");
    wipeAndRestartConnected(net, N3);

    leader.proposeConfigChange(List.of(new MemberChange.AddLearner(N3, null)));
    net.stabilize();

    assertEquals(leader.status().lastIndex(), net.core(N3).status().lastIndex(), "n3 holds the whole log again");
  }

  /**
   * The new-leader twin of the test above. A leader elected with an uncommitted removal of n3 in
   * its log builds n3's progress in {@code Replication.newLeaderState}: n3 answers it once (match below the removal), the removal
   * commits, n3 is wiped and added again within the election timeout. Its progress must be
   * renewed, or the leader never probes below the stale match against an empty log.
   */
  @Test
  void aNodeRemovedUnderAPreviousLeaderAndAddedAgainIsCaughtUpFromScratch() {
    Network net = new Network(3, Fixtures.plain().withMaxEntriesPerAppend(1), 11);
    net.campaign(N1);
    RaftCore n1 = net.core(N1);
    for (int i = 0; i < 3; i++) {
      n1.propose(cmd("x" + i));
    }
    net.stabilize();
    long n3Last = net.core(N3).status().lastIndex();
    // n3 is cut off; n1 never hears that n2 took the entries: the removal stays uncommitted.
    net.dropWhere(m -> m.to().equals(N3) || m.from().equals(N3)
        || (m instanceof AppendEntriesResponse && m.to().equals(N1)));
    for (int i = 0; i < 3; i++) {
      n1.propose(cmd("y" + i));
    }
    Proposal removal = n1.proposeConfigChange(List.of(new MemberChange.Remove(N3)));
    net.stabilize();
    assertTrue(net.core(N2).status().lastIndex() >= removal.index());
    net.crash(N1);
    net.restart(N1);
    // n2 leads; n1's acks are lost (the removal stays uncommitted); n3 takes one entry only.
    net.dropWhere(m -> (m instanceof AppendEntriesResponse && m.from().equals(N1))
        || (m.to().equals(N3) && m instanceof AppendEntries ae
            && ae.prevLogIndex() <= net.core(N3).status().lastIndex()
            && ae.entries().stream().anyMatch(e -> e.index() > n3Last + 1)));
    net.campaign(N2);
    RaftCore n2 = net.core(N2);
    assertEquals(N2, net.leader());
    net.stabilize();
    assertEquals(n3Last + 1, n2.status().progress().get(N3).matchIndex());
    assertTrue(n2.commitIndex() < removal.index());
    // n1's acks get through: the removal commits; n3 (match below it) is kept for now.
    net.dropWhere(m -> m.to().equals(N3) || m.from().equals(N3));
    for (int i = 0; i < 3; i++) {
      net.tick(N2);
      net.stabilize();
    }
    assertTrue(n2.commitIndex() >= removal.index(), "the removal committed");
    assertTrue(n2.status().progress().containsKey(N3), "n3 not yet released");
    // n3 is wiped and added again at once.
    wipeAndRestartConnected(net, N3);

    n2.proposeConfigChange(List.of(new MemberChange.AddLearner(N3, null)));
    net.stabilize();

    assertEquals(n2.status().lastIndex(), net.core(N3).status().lastIndex(), "n3 holds the whole log again");
  }

  /** {@code id} loses its disk and starts again empty, joining nothing, with every message delivered again. */
  private static void wipeAndRestartConnected(Network net, NodeId id) {
    net.crash(id);
    net.node(id).store = new dev.pontoon.raft.engine.memory.InMemoryLogStore();
    net.node(id).initialConfig = null;
    net.node(id).snapshot = null;
    net.restart(id);
    net.dropWhere(m -> false);
  }
}
