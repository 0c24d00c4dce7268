package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.N4;
import static dev.pontoon.raft.engine.core.Fixtures.N5;
import static dev.pontoon.raft.engine.core.MembershipFixtures.clusterLedByN1;
import static dev.pontoon.raft.engine.core.MembershipFixtures.configEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Joint consensus, thesis §4.3: while joint, commit, elections, reads and CheckQuorum need a majority of both halves. */
class JointConsensusTest {

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
}
