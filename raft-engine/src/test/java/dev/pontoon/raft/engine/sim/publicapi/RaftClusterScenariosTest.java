package dev.pontoon.raft.engine.sim.publicapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.sim.ClientResult;
import dev.pontoon.raft.engine.sim.RaftCluster;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RaftMessage;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Scripted scenarios of the paper, step by step on a {@link RaftCluster}: a split brain, a stale
 * leader rejoining, and conflicting logs repaired (Figure 7). Logs are written as the paper draws
 * them, one term per entry ({@code "1 1 2"}); every scenario ends with no violation of Figure 3's
 * properties.
 */
class RaftClusterScenariosTest {
  /** The paper's basic algorithm: no PreVote, no CheckQuorum. */
  static final RaftConfig PAPER = RaftConfig.defaults().withPreVote(false).withCheckQuorum(false);
  static final NodeId N1 = NodeId.of("n1");
  static final NodeId N2 = NodeId.of("n2");
  static final NodeId N3 = NodeId.of("n3");
  static final NodeId N4 = NodeId.of("n4");
  static final NodeId N5 = NodeId.of("n5");

  static Bytes cmd(String text) {
    return Bytes.ofUtf8(text);
  }

  /** The log as the paper draws it: the term of each entry, in index order. */
  static String terms(List<LogEntry> log) {
    return log.stream().map(e -> Long.toString(e.term())).collect(Collectors.joining(" "));
  }

  /** The commands among {@code entries} (a new leader's no-op entries left out). */
  static List<String> commands(List<LogEntry> entries) {
    return entries.stream().filter(e -> e.kind() == EntryKind.COMMAND).map(e -> e.payload().toUtf8()).toList();
  }

  /** Elects {@code leader} in the next term and commits its first entry everywhere it can reach. */
  static void elect(RaftCluster cluster, NodeId leader) {
    cluster.campaign(leader);
    cluster.deliverAll();
    heartbeat(cluster);
    assertEquals(Role.LEADER, cluster.role(leader));
  }

  /** One heartbeat interval passes and every message is delivered: followers learn the commit index. */
  static void heartbeat(RaftCluster cluster) {
    cluster.tick(200);
    cluster.deliverAll();
  }

  /**
   * §5.2 and §5.4: a partition leaves the old leader of term 1 with a minority while the majority
   * elects a leader of term 2 — two leaders at once, never two in one term. Only the majority's
   * leader commits; when the partition heals the old leader steps down and its entry is replaced.
   */
  @Test
  void splitBrainLeavesOneLeaderPerTermAndOnlyTheMajorityCommits() {
    RaftCluster cluster = RaftCluster.builder().nodes(5).raftConfig(PAPER).build();
    elect(cluster, N1);
    cluster.partition(Set.of(N1, N2), Set.of(N3, N4, N5));

    ClientResult old = cluster.clientRequest(N1, cmd("to the old leader"));
    assertTrue(old.success(), "a leader appends, whether or not it can commit");
    elect(cluster, N3);
    assertEquals(Role.LEADER, cluster.role(N1), "n1 does not know yet: it still leads term 1");
    assertEquals(1, cluster.term(N1));
    assertEquals(2, cluster.term(N3));
    ClientResult fresh = cluster.clientRequest(N3, cmd("to the new leader"));
    cluster.deliverAll();
    heartbeat(cluster);
    assertEquals(List.of("to the new leader"), commands(cluster.committedEntries(N3)));
    assertEquals(List.of(), commands(cluster.committedEntries(N1)), "a minority commits nothing");

    cluster.heal();
    heartbeat(cluster);
    assertEquals(Role.FOLLOWER, cluster.role(N1));
    for (NodeId n : cluster.members()) {
      assertEquals(List.of("to the new leader"), commands(cluster.committedEntries(n)), n.toString());
      assertEquals(cluster.log(N3), cluster.log(n), n + "'s log");
    }
    assertFalse(cluster.log(N1).contains(old.entry()), "the old leader's entry was replaced");
    assertEquals(fresh.entry(), cluster.log(N1).get((int) fresh.entry().index() - 1));
    assertEquals(List.of(), cluster.violations());
  }

  /**
   * §5.1 and §5.3: a leader cut off from everyone keeps leading its stale term and appending; when
   * it rejoins, the first message of the newer term makes it a follower, and the new leader's log
   * overwrites what it appended alone.
   */
  @Test
  void staleLeaderRejoiningStepsDownAndTakesTheNewLeadersLog() {
    RaftCluster cluster = RaftCluster.builder().nodes(3).raftConfig(PAPER).build();
    elect(cluster, N1);
    cluster.clientRequest(N1, cmd("a"));
    heartbeat(cluster);
    assertEquals("1 1", terms(cluster.log(N2)), "n1's no-op and a");

    cluster.isolate(N1);
    assertTrue(cluster.clientRequest(N1, cmd("b")).success());
    heartbeat(cluster); // n1's AppendEntries are lost
    elect(cluster, N2);
    cluster.clientRequest(N2, cmd("c"));
    heartbeat(cluster);
    assertEquals("1 1 1", terms(cluster.log(N1)));
    assertEquals("1 1 2 2", terms(cluster.log(N2)));

    cluster.heal();
    heartbeat(cluster);
    heartbeat(cluster);
    assertEquals(Role.FOLLOWER, cluster.role(N1));
    assertEquals(2, cluster.term(N1));
    assertEquals("1 1 2 2", terms(cluster.log(N1)));
    assertEquals(List.of("a", "c"), commands(cluster.committedEntries(N1)));
    assertEquals(List.of(), cluster.violations());
  }

  /**
   * Figure 7 in small: the leader of term 1 gets two entries to one follower only; the other three
   * elect a leader of term 2, which commits two entries of its own. After the partition heals the
   * new leader's AppendEntries fail the consistency check on the two stale logs, back up to where
   * they agree, and overwrite the conflicting suffix (§5.3); every log ends the same.
   */
  @Test
  void conflictingLogsAreRepairedByTheNewLeader() {
    RaftCluster cluster = RaftCluster.builder().nodes(5).raftConfig(PAPER).build();
    elect(cluster, N1);
    cluster.clientRequest(N1, cmd("a"));
    heartbeat(cluster);

    cluster.clientRequest(N1, cmd("b"));
    cluster.clientRequest(N1, cmd("c"));
    for (RaftMessage m : cluster.inFlight()) {
      if (m instanceof AppendEntries && m.to().equals(N2)) {
        cluster.deliver(m); // only n2 gets b and c
      } else {
        cluster.drop(m);
      }
    }
    cluster.deliverAll();
    cluster.partition(Set.of(N1, N2), Set.of(N3, N4, N5));
    elect(cluster, N3);
    cluster.clientRequest(N3, cmd("x"));
    cluster.clientRequest(N3, cmd("y"));
    heartbeat(cluster);
    //            index: 1 2 3 4 5
    assertEquals("1 1 1 1", terms(cluster.log(N1)));
    assertEquals("1 1 1 1", terms(cluster.log(N2)));
    assertEquals("1 1 2 2 2", terms(cluster.log(N3)));
    assertEquals(List.of("a"), commands(cluster.committedEntries(N1)), "b and c never reached a majority");

    cluster.heal();
    heartbeat(cluster);
    heartbeat(cluster);
    for (NodeId n : cluster.members()) {
      assertEquals("1 1 2 2 2", terms(cluster.log(n)), n + "'s log");
      assertEquals(List.of("a", "x", "y"), commands(cluster.committedEntries(n)), n.toString());
    }
    assertEquals(List.of(), cluster.violations());
  }
}
