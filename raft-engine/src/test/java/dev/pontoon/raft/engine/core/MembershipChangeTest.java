package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.N4;
import static dev.pontoon.raft.engine.core.Fixtures.N5;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
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
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Membership changes, Raft thesis chapter 4: learners, the fast path, joint consensus. */
class MembershipChangeTest {

  private static final ClusterConfig WITH_LEARNER_N4 = new ClusterConfig(Set.of(N1, N2, N3), Set.of(N4));

  private static LogEntry configEntry(long index, long term, ClusterConfig config) {
    return new LogEntry(index, term, EntryKind.CONFIGURATION, config.toBytes());
  }

  /** A network of voters n1..n{size} with the joining nodes given, and n1 leader with its no-op committed. */
  private static Network clusterLedByN1(int size, NodeId... joining) {
    Network net = new Network(size, Fixtures.plain(), 11);
    for (NodeId id : joining) {
      net.addJoiningNode(id);
    }
    net.campaign(N1);
    assertEquals(N1, net.leader());
    return net;
  }

  // ------------------------------------------------------------ §4.1: in force on append

  /** Thesis §4.1: a server uses the latest configuration in its log, committed or not. */
  @Test
  void aConfigurationTakesEffectWhenAppendedNotWhenCommitted() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);

    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(configEntry(2, 2, WITH_LEARNER_N4)), 1, 1));

    assertEquals(WITH_LEARNER_N4, c.core.config());
    assertEquals(1, c.core.commitIndex());
    assertEquals(2, c.core.configIndex());
    assertTrue(c.core.configChangeInFlight());
  }

  /** Truncating the conflicting suffix that held a configuration brings the one before it back (§5.3, §4.1). */
  @Test
  void aTruncatedConfigurationRevertsToThePreviousOne() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(configEntry(2, 2, WITH_LEARNER_N4)), 1, 1));
    c.persist();

    c.step(new AppendEntries(N3, N1, 3, 1, 1, List.of(LogEntry.command(2, 3, cmd("x"))), 1, 1));

    assertEquals(Fixtures.cluster(3), c.core.config());
    assertFalse(c.core.configChangeInFlight());
  }

  /** At start the configuration is rebuilt from the log, whatever the node was started with. */
  @Test
  void theConfigurationIsRebuiltFromTheLogAfterARestart() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(configEntry(2, 2, WITH_LEARNER_N4)), 1, 1));
    c.persist();

    RaftCore restarted = new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), c.store, c.store.loadHardState(),
        0, new SplittableRandom(1));

    assertEquals(WITH_LEARNER_N4, restarted.config());
    assertEquals(2, restarted.configIndex());
  }

  /** A snapshot carries the configuration at its index (§7): installing one puts it in force. */
  @Test
  void anInstalledSnapshotBringsItsConfiguration() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);

    c.step(new InstallSnapshot(N2, N1, 2, 5, 2, WITH_LEARNER_N4, 0, Bytes.ofUtf8("state"), true));

    assertEquals(WITH_LEARNER_N4, c.core.config());
    c.persist();
    RaftCore restarted = new RaftCore(N1, WITH_LEARNER_N4, Fixtures.plain(), c.store, c.store.loadHardState(), 5,
        new SplittableRandom(1));
    assertEquals(WITH_LEARNER_N4, restarted.config());
  }

  /** The snapshot taken at an index records the configuration in force there, not a later one. */
  @Test
  void theConfigurationAtAnIndexIsTheLatestAtOrBeforeIt() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);
    c.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(LogEntry.command(2, 2, cmd("a")),
        configEntry(3, 2, WITH_LEARNER_N4)), 1, 1));

    assertEquals(Fixtures.cluster(3), c.core.configAt(2));
    assertEquals(WITH_LEARNER_N4, c.core.configAt(3));
  }

  /** A configuration that does not decode is refused before anything changes. */
  @Test
  void anUndecodableConfigurationEntryIsMalformed() {
    CoreUnderTest c = CoreUnderTest.follower(3, 1, 1);
    LogEntry bad = new LogEntry(2, 2, EntryKind.CONFIGURATION, Bytes.ofUtf8("no config"));

    assertThrows(MalformedMessageException.class,
        () -> c.core.step(new AppendEntries(N2, N1, 2, 1, 1, List.of(bad), 1, 1)));
    assertEquals(1, c.core.term());
    assertEquals(1, c.core.status().lastIndex());
  }

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

  // ------------------------------------------------------------ joint consensus, §4.3

  /** While joint, an entry commits only on a majority of C_old and a majority of C_new. */
  @Test
  void aJointConfigurationNeedsBothMajoritiesToCommit() {
    for (Set<NodeId> cutOff : List.of(Set.of(N4, N5), Set.of(N2, N3))) {
      Network net = clusterLedByN1(3, N4, N5);
      RaftCore leader = net.core(N1);
      leader.proposeConfigChange(List.of(new MemberChange.AddLearner(N4, null),
          new MemberChange.AddLearner(N5, null)));
      net.stabilize();
      Set<NodeId> rest = new java.util.TreeSet<>(Set.of(N1, N2, N3, N4, N5));
      rest.removeAll(cutOff);
      net.partition(cutOff, rest);

      Proposal joint = leader.proposeConfigChange(List.of(new MemberChange.Promote(N4),
          new MemberChange.Promote(N5), new MemberChange.Remove(N2), new MemberChange.Remove(N3)));
      net.stabilize();

      assertTrue(leader.config().isJoint());
      assertEquals(Set.of(N1, N2, N3), leader.config().outgoingVoters());
      assertTrue(leader.commitIndex() < joint.index(), "joint entry committed with " + rest + " only");
      net.heal();
      net.tickAll(3);
      assertEquals(new ClusterConfig(Set.of(N1, N4, N5), Set.of()), leader.config());
      assertEquals(leader.configIndex(), leader.commitIndex(), "the leaving entry is committed");
      assertEquals(Role.LEADER, leader.role());
    }
  }

  /** n1 leads {n1, n2, n3} with learners n4, n5, and has proposed the joint change to {n1, n4, n5} with {@code cutOff} unreachable. */
  private static Network jointWith(RaftConfig config, Set<NodeId> cutOff) {
    Network net = new Network(Fixtures.cluster(3), config, 11, Map.of());
    net.addJoiningNode(N4);
    net.addJoiningNode(N5);
    // A transfer's campaign: with CheckQuorum, fresh voters ignore ordinary vote requests for a while.
    net.core(N1).step(new TimeoutNow(N2, N1, 1));
    net.stabilize();
    RaftCore leader = net.core(N1);
    assertEquals(Role.LEADER, leader.role());
    leader.proposeConfigChange(List.of(new MemberChange.AddLearner(N4, null), new MemberChange.AddLearner(N5, null)));
    net.stabilize();
    Set<NodeId> rest = new java.util.TreeSet<>(Set.of(N1, N2, N3, N4, N5));
    rest.removeAll(cutOff);
    net.partition(cutOff, rest);
    leader.proposeConfigChange(List.of(new MemberChange.Promote(N4), new MemberChange.Promote(N5),
        new MemberChange.Remove(N2), new MemberChange.Remove(N3)));
    net.stabilize();
    assertTrue(leader.config().isJoint());
    return net;
  }

  /** Thesis §6.4 with §4.3: while joint, a read is confirmed only by a majority of each half. */
  @Test
  void aJointConfigurationNeedsBothMajoritiesToConfirmARead() {
    for (Set<NodeId> cutOff : List.of(Set.of(N4, N5), Set.of(N2, N3))) {
      Network net = jointWith(Fixtures.plain(), cutOff);
      net.core(N1).readIndex(7);
      net.stabilize();
      net.tickAll(4);
      assertTrue(net.node(N1).reads.isEmpty(), "read confirmed without " + cutOff);

      net.heal();
      net.tickAll(4);
      assertEquals(7, net.node(N1).reads.get(0).requestId());
    }
  }

  /** Thesis §6.2 with §4.3: a joint leader that hears from only one half steps down. */
  @Test
  void aJointLeaderHearingFromOneHalfOnlyStepsDown() {
    for (Set<NodeId> cutOff : List.of(Set.of(N4, N5), Set.of(N2, N3))) {
      Network net = jointWith(Fixtures.plain().withCheckQuorum(true), cutOff);

      net.tickAll(50);

      assertNotEquals(Role.LEADER, net.core(N1).role(), "still leading without " + cutOff);
      if (cutOff.contains(N4)) {
        // n2 and n3 hold the joint entry too: none of n1, n2, n3 can win without n4 or n5. (Cut
        // off, n2 and n3 never got it, and may elect one of them in the old configuration.)
        assertEquals(null, net.leader(), "elected without a majority of C_new");
      }
    }
  }

  /** While joint, a candidate wins only with a majority of C_old and one of C_new. */
  @Test
  void aJointConfigurationNeedsBothMajoritiesToElect() {
    ClusterConfig joint = new ClusterConfig(Set.of(N1, N4, N5), Set.of(), Set.of(N1, N2, N3), Map.of());
    InMemoryLogStore store = new InMemoryLogStore();
    store.append(List.of(configEntry(1, 1, joint)));
    store.saveHardState(new HardState(1, null));
    store.sync();
    RaftCore core = new RaftCore(N1, Fixtures.cluster(3), Fixtures.plain(), store, store.loadHardState(), 0,
        new SplittableRandom(1));
    core.campaign();
    List<NodeId> asked = core.ready().sendAfterSync().stream().map(m -> m.to()).toList();
    assertEquals(List.of(N2, N3, N4, N5), asked);

    core.step(new RequestVoteResponse(N4, N1, 2, true, false));
    core.step(new RequestVoteResponse(N5, N1, 2, true, false));
    assertEquals(Role.CANDIDATE, core.role(), "a majority of C_new alone");
    core.step(new RequestVoteResponse(N2, N1, 2, true, false));
    assertEquals(Role.LEADER, core.role());
  }

  /** Both halves decide every quorum question: a majority of one is never enough. */
  @Test
  void jointQuorumArithmeticNeedsBothHalves() {
    JointConfig q = JointConfig.of(new ClusterConfig(Set.of(N1, N4, N5), Set.of(), Set.of(N1, N2, N3), Map.of()));
    Map<NodeId, Long> match = Map.of(N1, 9L, N2, 9L, N3, 9L, N4, 2L, N5, 1L);
    assertEquals(2, q.committedIndex(v -> match.getOrDefault(v, 0L)));
    assertFalse(q.hasQuorum(Set.of(N1, N2, N3)));
    assertTrue(q.hasQuorum(Set.of(N1, N2, N4)));
    assertEquals(VoteResult.LOST, q.voteResult(Map.of(N2, false, N3, false)));
    assertEquals(VoteResult.PENDING, q.voteResult(Map.of(N1, true, N2, true)));
    assertEquals(VoteResult.WON, q.voteResult(Map.of(N1, true, N2, true, N4, true)));
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
}
