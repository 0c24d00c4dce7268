package dev.pontoon.raft.engine.core;

import static dev.pontoon.raft.engine.core.Fixtures.N1;
import static dev.pontoon.raft.engine.core.Fixtures.N2;
import static dev.pontoon.raft.engine.core.Fixtures.N3;
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

  /**
   * Figure 7: when the leader of term 8 comes to power, followers may miss entries (a, b), have
   * extra uncommitted entries (c, d), or both (e, f). It is elected with the votes of a, b, e and
   * f (§5.4.1) and brings every follower's log into agreement with its own (§5.3).
   */
  @Test
  void figure7LeaderBringsEveryFollowerLogIntoAgreement() {
    long[][] logs = {
        {1, 1, 1, 4, 4, 5, 5, 6, 6, 6},          // the leader
        {1, 1, 1, 4, 4, 5, 5, 6, 6},             // a
        {1, 1, 1, 4},                            // b
        {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},       // c
        {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},    // d
        {1, 1, 1, 4, 4, 4, 4},                   // e
        {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},       // f
    };
    var stores = new java.util.HashMap<NodeId, dev.pontoon.raft.engine.memory.InMemoryLogStore>();
    for (int i = 0; i < logs.length; i++) {
      stores.put(Fixtures.n(i + 1), Fixtures.store(7, null, logs[i]));
    }
    Network net = new Network(Fixtures.cluster(7), Fixtures.plain(), 6, stores);

    net.campaign(N1);
    assertEquals(Role.LEADER, net.core(N1).role());
    assertEquals(8, net.core(N1).term());
    net.core(N1).propose(cmd("x"));
    net.stabilize();
    net.tickAll(3);

    List<LogEntry> expected = net.node(N1).store.entries(1, 13, Long.MAX_VALUE);
    assertEquals(12, expected.size());
    for (int i = 2; i <= 7; i++) {
      var store = net.node(Fixtures.n(i)).store;
      assertEquals(expected, store.entries(1, store.lastIndex() + 1, Long.MAX_VALUE), "follower " + i);
      assertEquals(12, net.core(Fixtures.n(i)).commitIndex());
    }
  }

  /** A learner receives the log but never campaigns and never counts towards a quorum. */
  @Test
  void learnerReplicatesButNeitherVotesNorCounts() {
    NodeId learner = NodeId.of("n4");
    var config = new dev.pontoon.raft.log.ClusterConfig(Set.of(N1, N2, N3), Set.of(learner));
    Network net = new Network(config, Fixtures.plain(), 15, java.util.Map.of());
    NodeId leader = net.elect(100);
    net.core(leader).propose(cmd("x"));
    net.stabilize();
    net.tickAll(3);
    assertEquals(List.of("x"), commands(net.node(learner).applied));

    // With the two other voters down, the leader and the learner are not a majority.
    for (NodeId voter : List.of(N1, N2, N3)) {
      if (!voter.equals(leader)) {
        net.crash(voter);
      }
    }
    long commit = net.core(leader).commitIndex();
    net.core(leader).propose(cmd("y"));
    net.stabilize();
    net.tickAll(100);

    assertEquals(commit, net.core(learner).commitIndex());
    assertEquals(Role.FOLLOWER, net.core(learner).role());
  }

  /**
   * A follower that needs entries the leader has compacted gets the leader's snapshot in one
   * InstallSnapshot (§7, Figure 13), then the entries after it; its log restarts after the snapshot.
   */
  @Test
  void followerBehindTheCompactedLogCatchesUpFromASnapshot() {
    var config = Fixtures.cluster(3);
    var stores = new java.util.HashMap<NodeId, dev.pontoon.raft.engine.memory.InMemoryLogStore>();
    stores.put(N1, Fixtures.store(1, null, 1, 1, 1, 1));
    stores.get(N1).truncatePrefix(3, 1);
    stores.put(N2, Fixtures.store(1, null, 1, 1, 1, 1));
    Network net = new Network(config, Fixtures.plain(), 16, stores);
    var snapshot = new dev.pontoon.raft.log.Snapshot(new dev.pontoon.raft.log.SnapshotMeta(3, 1, config),
        dev.pontoon.raft.log.Bytes.ofUtf8("state at 3"));
    net.node(N1).snapshot = snapshot;
    net.core(N1).snapshotAvailable(snapshot);

    net.campaign(N1);
    net.core(N1).propose(cmd("after"));
    net.stabilize();
    net.tickAll(3);

    assertEquals(snapshot, net.node(N3).snapshot);
    assertEquals(4, net.node(N3).store.firstIndex());
    assertEquals(net.node(N1).store.entries(4, 7, Long.MAX_VALUE),
        net.node(N3).store.entries(4, net.node(N3).store.lastIndex() + 1, Long.MAX_VALUE));
    assertEquals(6, net.core(N3).commitIndex());
    assertEquals(List.of("e4", "after"), commands(net.node(N3).applied), "only the entries after the snapshot");
  }

  /** A snapshot that is lost is sent again after an election timeout without an answer. */
  @Test
  void lostSnapshotIsSentAgain() {
    var config = Fixtures.cluster(3);
    var stores = new java.util.HashMap<NodeId, dev.pontoon.raft.engine.memory.InMemoryLogStore>();
    stores.put(N1, Fixtures.store(1, null, 1, 1));
    stores.get(N1).truncatePrefix(2, 1);
    stores.put(N2, Fixtures.store(1, null, 1, 1));
    Network net = new Network(config, Fixtures.plain(), 17, stores);
    var snapshot = new dev.pontoon.raft.log.Snapshot(new dev.pontoon.raft.log.SnapshotMeta(2, 1, config),
        dev.pontoon.raft.log.Bytes.ofUtf8("s"));
    net.core(N1).snapshotAvailable(snapshot);
    int[] sent = {0};
    net.dropWhere(m -> m instanceof dev.pontoon.raft.message.InstallSnapshot && sent[0]++ == 0);

    net.campaign(N1);
    net.tickAll(25);

    assertEquals(2, sent[0]);
    assertEquals(snapshot, net.node(N3).snapshot);
    assertEquals(3, net.core(N3).commitIndex());
  }

  private static NodeId otherThan(Network net, NodeId id) {
    return net.nodes.keySet().stream().filter(n -> !n.equals(id)).findFirst().orElseThrow();
  }
}
