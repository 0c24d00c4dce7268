package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
import static dev.pontoon.raft.engine.core.Fixtures.N4;
import static dev.pontoon.raft.engine.core.Fixtures.N5;
import static dev.pontoon.raft.engine.core.Fixtures.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Whole-cluster scenarios on the in-test {@link Network}. */
class ClusterScenarioTest {

  private static List<String> commands(List<LogEntry> entries) {
    return entries.stream().filter(e -> e.kind() == EntryKind.COMMAND).map(e -> e.payload().toUtf8()).toList();
  }

  /** A leader is elected and a proposal is applied by every node, in the same order (§5.2, §5.3). */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void threeNodesElectALeaderAndReplicate(boolean preVote) {
    Network net = new Network(3, Fixtures.plain().withPreVote(preVote).withCheckQuorum(preVote), 1);
    NodeId leader = net.elect(50);

    net.core(leader).propose(cmd("x"));
    net.core(leader).propose(cmd("y"));
    net.stabilize();
    net.tickAll(3); // heartbeats carry the commit index to followers

    for (NodeId id : List.of(N1, N2, N3)) {
      assertEquals(List.of("x", "y"), commands(net.node(id).applied), "applied on " + id);
    }
  }

  /** A cluster of 3 survives the loss of 1 node, and a cluster of 5 the loss of 2 (§5). */
  @ParameterizedTest
  @ValueSource(ints = {3, 5})
  void clusterSurvivesLossOfAMinority(int size) {
    Network net = new Network(size, Fixtures.plain(), 2);
    NodeId first = net.elect(50);
    net.core(first).propose(cmd("before"));
    net.stabilize();

    net.crash(first);
    List<NodeId> others = net.nodes.keySet().stream().filter(id -> !id.equals(first)).toList();
    for (int i = 0; i < (size - 1) / 2 - 1; i++) {
      net.crash(others.get(i));
    }
    NodeId second = net.elect(100);
    net.core(second).propose(cmd("after"));
    net.stabilize();
    net.tickAll(3);

    assertNotEquals(first, second);
    assertEquals(List.of("before", "after"), commands(net.node(second).applied));
  }

  /** A leader cut off with a minority cannot commit anything (§5.3: commit needs a majority). */
  @Test
  void minorityPartitionCommitsNothing() {
    Network net = new Network(5, Fixtures.plain(), 3);
    NodeId leader = net.elect(50);
    long committed = net.core(leader).commitIndex();
    Set<NodeId> minority = Set.of(leader, otherThan(net, leader));
    Set<NodeId> majority = new HashSet<>(net.nodes.keySet());
    majority.removeAll(minority);
    net.partition(minority, majority);

    net.core(leader).propose(cmd("lost"));
    net.stabilize();
    net.tickAll(5);

    assertEquals(committed, net.core(leader).commitIndex());
    assertTrue(commands(net.node(leader).applied).isEmpty());
  }

  /**
   * A leader partitioned away keeps its uncommitted entries until it rejoins; then it steps down
   * on the new term and its entries are replaced by the new leader's (§5.3, §5.4).
   */
  @Test
  void staleLeaderRejoiningStepsDownAndLosesUncommittedEntries() {
    Network net = new Network(3, Fixtures.plain(), 4);
    NodeId old = net.elect(50);
    net.isolate(old);
    net.core(old).propose(cmd("orphan"));
    net.stabilize();

    NodeId fresh = null;
    for (int i = 0; i < 100 && fresh == null; i++) {
      net.tickAll(1);
      NodeId l = net.leader();
      fresh = l != null && !l.equals(old) ? l : null;
    }
    assertTrue(fresh != null, "the majority elects a new leader");
    net.core(fresh).propose(cmd("kept"));
    net.stabilize();
    net.heal();
    net.tickAll(5);

    assertEquals(Role.FOLLOWER, net.core(old).role());
    assertEquals(net.core(fresh).term(), net.core(old).term());
    assertEquals(List.of("kept"), commands(net.node(old).applied));
    assertEquals(net.node(fresh).store.lastIndex(), net.node(old).store.lastIndex());
  }

  /** Split votes resolve: with every node campaigning at once, randomized timeouts elect one leader (§5.2). */
  @Test
  void splitVotesResolve() {
    Network net = new Network(4, Fixtures.plain(), 5);
    for (NodeId id : net.nodes.keySet()) {
      net.core(id).campaign(); // all candidates of term 1: nobody can win it
    }
    net.stabilize();
    assertEquals(null, net.leader());

    NodeId leader = net.elect(200);
    assertTrue(net.core(leader).term() >= 2);
  }

  /**
   * Figure 7: a leader of term 8 brings followers whose logs are missing entries (a, b), have
   * extra uncommitted entries (c, d), or both (e, f) into agreement with its own log (§5.3).
   */
  @Test
  void figure7LeaderBringsEveryFollowerLogIntoAgreement() {
    long[] leader = {1, 1, 1, 4, 4, 5, 5, 6, 6, 6};
    long[][] followers = {
        {1, 1, 1, 4, 4, 5, 5, 6, 6},             // a
        {1, 1, 1, 4},                            // b
        {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},       // c
        {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},    // d
        {1, 1, 1, 4, 4, 4, 4},                   // e
        {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},       // f
    };
    for (long[] follower : followers) {
      var stores = new java.util.HashMap<NodeId, dev.pontoon.raft.engine.memory.InMemoryLogStore>();
      stores.put(N1, Fixtures.store(7, null, leader));
      stores.put(N2, Fixtures.store(7, null, follower));
      // Three more nodes with the leader's log make n1 electable even against d's longer log.
      stores.put(N3, Fixtures.store(7, null, leader));
      stores.put(N4, Fixtures.store(7, null, leader));
      stores.put(N5, Fixtures.store(7, null, leader));
      Network net = new Network(Fixtures.cluster(5), Fixtures.plain(), 6, stores);
      net.campaign(N1);
      assertEquals(Role.LEADER, net.core(N1).role());
      assertEquals(8, net.core(N1).term());
      net.core(N1).propose(cmd("x"));
      net.stabilize();
      net.tickAll(3);

      List<LogEntry> expected = net.node(N1).store.entries(1, 13, Long.MAX_VALUE);
      assertEquals(12, expected.size());
      assertEquals(expected, net.node(N2).store.entries(1, net.node(N2).store.lastIndex() + 1, Long.MAX_VALUE));
      assertEquals(12, net.core(N2).commitIndex());
    }
  }

  private static NodeId otherThan(Network net, NodeId id) {
    return net.nodes.keySet().stream().filter(n -> !n.equals(id)).findFirst().orElseThrow();
  }
}
