package dev.pontoon.raft.engine.sim.publicapi;

import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.N1;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.N2;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.N3;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.N4;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.PAPER;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.elect;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.heartbeat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.sim.ClientResult;
import dev.pontoon.raft.engine.sim.RaftCluster;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.EntryKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership changes scripted on the test kit (thesis chapter 4), with refusals as values. */
class RaftClusterMembershipTest {

  private static Bytes cmd(String text) {
    return Bytes.ofUtf8(text);
  }

  @Test
  void aJoiningNodeAddedByTheLeaderReceivesTheLogAndCountsInTheQuorum() {
    RaftCluster cluster = RaftCluster.builder().nodes(3).joiningNodes(1).raftConfig(PAPER).build();
    assertEquals(List.of(N1, N2, N3, N4), cluster.members());
    elect(cluster, N1);
    heartbeat(cluster);

    ClientResult added = cluster.changeMembership(N1, List.of(new MemberChange.AddVoter(N4, null)));
    assertTrue(added.success() && added.entry().kind() == EntryKind.CONFIGURATION, added.toString());
    heartbeat(cluster);
    heartbeat(cluster);
    assertTrue(cluster.committedEntries(N4).stream().anyMatch(e -> e.index() == added.entry().index()),
        "n4 received and applied the entry that added it");

    // Four voters: with n2 and n3 gone, n1 and n4 are no majority; with n3 back, they are.
    cluster.crash(N2);
    cluster.crash(N3);
    ClientResult write = cluster.clientRequest(N1, cmd("x"));
    heartbeat(cluster);
    assertFalse(cluster.committedEntries(N1).stream().anyMatch(e -> e.index() == write.entry().index()),
        "two of four voters commit nothing");
    cluster.restart(N3);
    heartbeat(cluster);
    heartbeat(cluster);
    assertTrue(cluster.committedEntries(N4).stream().anyMatch(e -> e.index() == write.entry().index()));
    assertEquals(List.of(), cluster.violations());
  }

  @Test
  void aRemovedVoterNoLongerCountsAndRefusalsAreValues() {
    RaftCluster cluster = RaftCluster.builder().nodes(3).raftConfig(PAPER).build();
    assertEquals("n2 is not the leader", cluster.changeMembership(N2, List.of(new MemberChange.Remove(N3))).error());
    elect(cluster, N1);
    heartbeat(cluster);

    ClientResult removed = cluster.changeMembership(N1, List.of(new MemberChange.Remove(N3)));
    assertTrue(removed.success(), removed.toString());
    ClientResult second = cluster.changeMembership(N1, List.of(new MemberChange.Remove(N2)));
    assertFalse(second.success(), "one change at a time");
    assertTrue(second.error().startsWith("n1 refused: "), second.error());
    heartbeat(cluster);
    heartbeat(cluster);
    // {n1, n2} now: n3 is still up, but its acknowledgement no longer counts.
    cluster.crash(N2);
    ClientResult write = cluster.clientRequest(N1, cmd("y"));
    heartbeat(cluster);
    heartbeat(cluster);
    assertFalse(cluster.committedEntries(N1).stream().anyMatch(e -> e.index() == write.entry().index()),
        "n1 and the removed n3 are no majority of {n1, n2}");
    cluster.restart(N2);
    heartbeat(cluster);
    heartbeat(cluster);
    assertTrue(cluster.committedEntries(N1).stream().anyMatch(e -> e.index() == write.entry().index()));
    assertEquals(Role.LEADER, cluster.role(N1));
    assertEquals(List.of(), cluster.violations());
  }

  @Test
  void votersAndJoiningNodesAreNineAtMost() {
    assertThrows(IllegalArgumentException.class, () -> RaftCluster.builder().nodes(5).joiningNodes(5).build());
    assertThrows(IllegalArgumentException.class, () -> RaftCluster.builder().joiningNodes(-1));
  }
}
