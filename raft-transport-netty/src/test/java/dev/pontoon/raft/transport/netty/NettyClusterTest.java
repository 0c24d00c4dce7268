package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertThrows;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.CommandTooLargeException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three {@link RaftServer}s with in-memory logs talking over Netty on loopback. */
class NettyClusterTest {
  private static final List<NodeId> IDS = List.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3"));

  @TempDir
  Path dir;
  private ServerCluster servers;

  @AfterEach
  void stopCluster() {
    if (servers != null) {
      servers.close();
    }
  }

  private void startCluster(Function<NodeId, NettyTransportConfig> configs) {
    servers = new ServerCluster(IDS, configs);
  }

  /**
   * For the tests that assert the leader they captured stays leader of its term: election
   * timeouts of 5 to 10 s make a spontaneous election on a loaded machine implausible, while a
   * step-down caused by what the test does would still show at once (and a new election would
   * move the term, which the tests check too).
   */
  private void startStableCluster(Function<NodeId, NettyTransportConfig> configs) {
    servers = new ServerCluster(IDS, configs, ServerCluster.STABLE_MIN_TICKS, ServerCluster.STABLE_MAX_TICKS);
  }

  private RaftServer awaitLeader() {
    return servers.awaitLeader();
  }

  private List<Bytes> commit(String prefix, int count) throws Exception {
    return servers.commit(prefix, count);
  }

  private void awaitApplied(NodeId id, List<Bytes> commands) {
    servers.awaitApplied(id, commands);
  }

  @Test
  void threeNodesElectALeaderAndReplicateOverLoopback() throws Exception {
    LoopbackCluster cluster = new LoopbackCluster(IDS);
    startCluster(cluster::config);
    awaitLeader();

    List<Bytes> commands = commit("cmd", 200);

    IDS.forEach(id -> awaitApplied(id, commands));
    List<Bytes> reference = servers.machines.get(IDS.get(0)).applied();
    IDS.forEach(id -> assertEquals(reference, servers.machines.get(id).applied(), "same order on " + id));
  }

  @Test
  void followerCutOffFromTheNetworkReconnectsAndCatchesUp() throws Exception {
    LoopbackCluster cluster = new LoopbackCluster(IDS);
    startCluster(cluster::config);
    RaftServer leader = awaitLeader();
    NodeId follower = IDS.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
    List<Bytes> before = commit("before", 20);
    awaitApplied(follower, before);

    servers.transports.get(follower).cut();
    List<Bytes> during = commit("during", 100);
    assertTrue(servers.machines.get(follower).applied().stream().noneMatch(during::contains), "cut off: nothing arrives");
    servers.transports.get(follower).reopen();

    awaitApplied(follower, during);
    assertEquals(servers.machines.get(leader.id()).applied(), servers.machines.get(follower).applied());
    NettyTransport leaderTransport = servers.transports.get(leader.id()).current();
    assertTrue(leaderTransport.stats().reconnects() >= 1, leaderTransport.stats().toString());
  }

  /**
   * The transport's frame limit reaches submit: a 9 MiB command, over the 8 MiB frame, is refused
   * at once (nothing appended) instead of being appended and then dropped on every send, which
   * cost an election and an "indeterminate" answer; the leader stays and goes on committing.
   */
  @Test
  void commandLargerThanTheFrameIsRefusedAtSubmitAndTheLeaderStays() throws Exception {
    LoopbackCluster cluster = new LoopbackCluster(IDS);
    startStableCluster(cluster::config);
    RaftServer leader = awaitLeader();
    commit("before", 5);
    long term = leader.status().term();
    long last = leader.status().lastLogIndex();

    CompletableFuture<Bytes> big = leader.submit(Bytes.wrap(new byte[9 * 1024 * 1024]));

    ExecutionException e = assertThrows(ExecutionException.class, () -> big.get(10, TimeUnit.SECONDS));
    assertInstanceOf(CommandTooLargeException.class, e.getCause());
    assertEquals(last, leader.status().lastLogIndex(), "nothing appended");
    List<Bytes> after = commit("after", 5);
    IDS.forEach(id -> awaitApplied(id, after));
    assertEquals(term, leader.status().term(), "no election");
    assertEquals(0, servers.transports.get(leader.id()).current().stats().droppedOversize());
  }

  @Test
  void forgedAppendEntriesOfTheLeadersOwnTermDoesNotStopTheLeader() throws Exception {
    LoopbackCluster cluster = new LoopbackCluster(IDS);
    startStableCluster(cluster::config);
    RaftServer leader = awaitLeader();
    List<Bytes> before = commit("before", 10);
    long term = leader.status().term();
    NodeId follower = IDS.stream().filter(id -> !id.equals(leader.id())).findFirst().orElseThrow();
    // Only the leader of a term sends AppendEntries in it (§5.2): this one is forged, over the real transport.
    AppendEntries forged = new AppendEntries(follower, leader.id(), term, 0, 0,
        List.of(LogEntry.command(1, term, Bytes.ofUtf8("forged"))), 0, 1);
    NettyTransport leaderTransport = servers.transports.get(leader.id()).current();
    long receivedBefore = leaderTransport.stats().messagesReceived();
    try (RawSocket forger = new RawSocket(leaderTransport.localAddress(), LoopbackCluster.CLUSTER_ID)) {
      forger.handshakeAs(follower);
      forger.send(forged);
      await("the forged message reaches the leader's node").atMost(RunningNode.PATIENCE)
          .until(() -> leaderTransport.stats().messagesReceived() > receivedBefore);
    }

    List<Bytes> after = commit("after", 10);

    assertEquals(Role.LEADER, leader.status().role(), "still leader");
    assertEquals(term, leader.status().term(), "no election: the forgery was dropped, not obeyed");
    IDS.forEach(id -> awaitApplied(id, after));
    IDS.forEach(id -> assertTrue(servers.machines.get(id).applied().stream().noneMatch(Bytes.ofUtf8("forged")::equals)));
    assertTrue(servers.machines.get(leader.id()).applied().containsAll(before));
  }

  @Test
  void mutualTlsClusterReplicatesAndRefusesAPeerWithAnUntrustedCertificate() throws Exception {
    TestCertificates clusterCa = new TestCertificates(dir, "cluster");
    TestCertificates rogueCa = new TestCertificates(dir, "rogue");
    NodeId rogue = IDS.get(2);
    LoopbackCluster cluster = new LoopbackCluster(IDS);
    startCluster(id -> {
      TestCertificates.NodeFiles files = id.equals(rogue)
          ? rogueCa.issue(id.value()).trusting(clusterCa.trustFile())
          : clusterCa.issue(id.value());
      return cluster.config(id, b -> b.tls(files.chain(), files.key(), files.trust()));
    });
    RaftServer leader = awaitLeader();

    List<Bytes> commands = commit("tls", 50);

    IDS.stream().filter(id -> !id.equals(rogue)).forEach(id -> awaitApplied(id, commands));
    assertTrue(servers.machines.get(rogue).applied().isEmpty(), "the untrusted node receives nothing");
    assertTrue(!leader.id().equals(rogue), "the untrusted node cannot lead");
    await("refusals counted").atMost(RunningNode.PATIENCE).until(() -> IDS.stream().filter(id -> !id.equals(rogue))
        .mapToLong(id -> servers.transports.get(id).current().stats().handshakeRejections()).sum() >= 1);
  }
}
