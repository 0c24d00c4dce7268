package dev.pontoon.raft.engine.sim.publicapi;

import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.N1;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.N2;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.N3;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.PAPER;
import static dev.pontoon.raft.engine.sim.publicapi.RaftClusterScenariosTest.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.sim.ClientResult;
import dev.pontoon.raft.engine.sim.RaftCluster;
import dev.pontoon.raft.engine.sim.Violation;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.log.LogEntry;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The harness itself: time moves only by tick, messages only by deliver, refusals are values, and its checks bite. */
class RaftClusterTest {

  @Test
  void nothingHappensUntilTheClockMovesAndTicksCarryTheirRemainder() {
    RaftCluster cluster = RaftCluster.builder().nodes(3).raftConfig(PAPER).tickMillis(100).build();
    assertEquals(List.of(), cluster.inFlight());
    assertEquals(List.of(), cluster.tick(N1, 950), "9 ticks: below any election timeout (10 to 19 ticks)");
    List<RaftMessage> sent = cluster.tick(N1, 1_050); // 20 ticks in all: n1's timer fired
    assertTrue(sent.stream().anyMatch(m -> m instanceof RequestVote), sent.toString());
    assertEquals(Role.CANDIDATE, cluster.role(N1));
    assertEquals(sent, cluster.inFlight());
  }

  @Test
  void refusalsAreValuesNeverExceptions() {
    RaftCluster cluster = RaftCluster.builder().nodes(3).raftConfig(PAPER).build();
    assertEquals(new ClientResult(false, null, "no leader", null), cluster.clientRequest(cmd("x")));
    RaftClusterScenariosTest.elect(cluster, N1);
    ClientResult refused = cluster.clientRequest(N2, cmd("x"));
    assertEquals(new ClientResult(false, null, "n2 is not the leader", N1), refused);
    cluster.crash(N3);
    assertEquals("n3 is down", cluster.clientRequest(N3, cmd("x")).error());
    ClientResult ok = cluster.clientRequest(cmd("x"));
    assertTrue(ok.success() && ok.entry().term() == 1 && ok.error() == null, ok.toString());
  }

  @Test
  void aPartitionLosesMessagesBetweenSidesAndACrashedNodeRestartsFromItsLog() {
    RaftCluster cluster = RaftCluster.builder().nodes(3).raftConfig(PAPER).build();
    RaftClusterScenariosTest.elect(cluster, N1);
    cluster.clientRequest(N1, cmd("a"));
    RaftClusterScenariosTest.heartbeat(cluster);
    cluster.isolate(N1);
    assertTrue(!cluster.connected(N1, N2) && !cluster.connected(N3, N1) && cluster.connected(N2, N3));
    cluster.partition(Set.of(N1, N2)); // n3, named in no group, is alone
    assertTrue(cluster.connected(N1, N2) && !cluster.connected(N2, N3));
    cluster.crash(N2);
    cluster.restart(N2);
    assertEquals(cluster.log(N1), cluster.log(N2), "the log survives the crash");
    List<LogEntry> reapplied = cluster.committedEntries(N2);
    assertEquals(cluster.log(N2).subList(0, reapplied.size()), reapplied,
        "applied state does not, but the restarted node re-applies at once a prefix: up to its saved commit index");
    cluster.heal();
    RaftClusterScenariosTest.heartbeat(cluster);
    assertEquals(List.of("a"), RaftClusterScenariosTest.commands(cluster.committedEntries(N2)));
  }

  /**
   * The checks bite: a forged vote (n2 already voted for n1 in term 1) lets n3 win term 1 as well,
   * and the harness reports Election Safety broken.
   */
  @Test
  void aForgedVoteMakesTwoLeadersInOneTermAndTheHarnessSaysSo() {
    RaftCluster cluster = RaftCluster.builder().nodes(3).raftConfig(PAPER).build();
    RaftMessage toN2 = cluster.campaign(N1).stream().filter(m -> m.to().equals(N2)).findFirst().orElseThrow();
    cluster.deliver(toN2).forEach(cluster::deliver); // n2 votes for n1: a majority of 3
    cluster.dropAll(); // the request to n3 is lost
    assertEquals(Role.LEADER, cluster.role(N1));
    cluster.campaign(N3); // n3 never heard of term 1
    cluster.dropAll();
    cluster.deliver(new RequestVoteResponse(N2, N3, 1, true, false));
    assertEquals(Role.LEADER, cluster.role(N3));
    assertEquals(List.of(new Violation.TwoLeaders(1, N1, N3)), cluster.violations());
  }

  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> RaftCluster.builder().nodes(0));
    assertThrows(IllegalArgumentException.class, () -> RaftCluster.builder().tickMillis(0));
    RaftCluster cluster = RaftCluster.of(3);
    assertThrows(IllegalArgumentException.class, () -> cluster.tick(-1));
    assertThrows(IllegalArgumentException.class, () -> cluster.partition(Set.of(N1), Set.of(N1, N2)));
  }
}
