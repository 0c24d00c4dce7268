package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.transport.SampleMessages;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport follows the cluster configuration the node reports: members added at run time are
 * reached at their recorded address and may connect in, removed ones are dropped after a linger,
 * and a host name is looked up again after a failed attempt. Over real loopback sockets.
 */
class MembershipTransportTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  @TempDir
  Path dir;
  private final LoopbackCluster cluster = new LoopbackCluster(List.of(N1, N2, N3));

  /** {@code id} with only {@code peers} as static peers. */
  private NettyTransportConfig config(NodeId id, Set<NodeId> peers, UnaryOperator<NettyTransportConfig.Builder> custom) {
    NettyTransportConfig.Builder builder = NettyTransportConfig.builder(id, LoopbackCluster.CLUSTER)
        .listenAddress(cluster.address(id))
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .ioThreads(1)
        .jitter(new SplittableRandom(id.hashCode()));
    peers.forEach(peer -> builder.peer(peer, cluster.address(peer)));
    return custom.apply(builder).build();
  }

  private String hostPort(NodeId id) {
    InetSocketAddress a = cluster.address(id);
    return a.getHostString() + ":" + a.getPort();
  }

  /** n1, n2 and n3, with n3's address recorded as the KV example records it. */
  private ClusterConfig allThree() {
    return new ClusterConfig(Set.of(N1, N2), Set.of(N3), Set.of(),
        Map.of(N3, "raft=" + hostPort(N3) + ";http=127.0.0.1:1"));
  }

  @Test
  void memberAddedByTheConfigurationIsReachedAtItsRecordedAddressAndMayConnectIn() {
    try (RunningNode n1 = new RunningNode(config(N1, Set.of(N2), b -> b));
        RunningNode n3 = new RunningNode(config(N3, Set.of(N1), b -> b))) {
      await().atMost(RunningNode.PATIENCE).until(() -> n1.stats().handshakeRejections() >= 1);
      assertFalse(n3.transport.isConnected(N1), "n1 refuses n3 before n3 is a member");

      n1.transport.configurationChanged(allThree());

      n1.awaitLink(n3);
      n3.awaitLink(n1);
    }
  }

  @Test
  void removedMemberIsDroppedAfterTheLingerAndNeitherReconnectedNorAdmitted() {
    UnaryOperator<NettyTransportConfig.Builder> shortLinger = b -> b.removedMemberLinger(Duration.ofMillis(100));
    try (RunningNode n1 = new RunningNode(config(N1, Set.of(N2, N3), shortLinger));
        RunningNode n3 = new RunningNode(config(N3, Set.of(N1), b -> b))) {
      n1.awaitLink(n3);
      n3.awaitLink(n1);
      n1.transport.configurationChanged(ClusterConfig.ofVoters("n1", "n2", "n3"));
      long rejectionsBefore = n1.stats().handshakeRejections();

      n1.transport.configurationChanged(ClusterConfig.ofVoters("n1", "n2"));

      await().atMost(RunningNode.PATIENCE).until(() -> n1.transport.channelTo(N3) == null
          && !n3.transport.isConnected(N1));
      long dropped = n1.stats().droppedUnknownPeer();
      n1.transport.send(SampleMessages.numbered(N1, N3, 1));
      assertEquals(dropped + 1, n1.stats().droppedUnknownPeer(), "nothing is sent to a removed member");
      await("n3's reconnects are refused").atMost(RunningNode.PATIENCE)
          .until(() -> n1.stats().handshakeRejections() > rejectionsBefore);
      assertFalse(n3.transport.isConnected(N1));
    }
  }

  @Test
  void memberBackWithinTheLingerKeepsItsConnection() {
    try (RunningNode n1 = new RunningNode(config(N1, Set.of(N3), b -> b));
        RunningNode n3 = new RunningNode(config(N3, Set.of(N1), b -> b))) {
      n1.awaitLink(n3);
      Channel before = n1.transport.channelTo(N3);

      n1.transport.configurationChanged(ClusterConfig.ofVoters("n1"));
      n1.transport.configurationChanged(ClusterConfig.ofVoters("n1", "n3"));

      assertSame(before, n1.transport.channelTo(N3));
      n1.awaitLink(n3);
      assertSame(before, n1.transport.channelTo(N3), "the connection was never closed");
    }
  }

  @Test
  void nodeNotYetAMemberKeepsItsStaticPeers() {
    try (RunningNode n1 = new RunningNode(config(N1, Set.of(N2, N3), b -> b));
        RunningNode n3 = new RunningNode(config(N3, Set.of(N1), b -> b))) {
      // n3 waits to be added: the configuration it knows does not name it.
      n3.transport.configurationChanged(ClusterConfig.ofVoters("n1", "n2"));
      n3.awaitLink(n1);
      n1.awaitLink(n3);
    }
  }

  @Test
  void addressIsResolvedAgainBeforeEveryAttemptAfterAFailure() {
    InetSocketAddress nobodyListens = LoopbackCluster.freeLoopbackAddress();
    AtomicInteger asked = new AtomicInteger();
    PeerResolver movingHost = (id, recorded) -> asked.incrementAndGet() == 1 ? nobodyListens
        : PeerResolver.DEFAULT.resolve(id, recorded);
    try (RunningNode n1 = new RunningNode(config(N1, Set.of(N2), b -> b.peerResolver(movingHost)));
        RunningNode n3 = new RunningNode(config(N3, Set.of(N1), b -> b))) {
      n1.transport.configurationChanged(allThree());
      n1.awaitLink(n3);
      assertTrue(asked.get() >= 2, "asked " + asked.get() + " times");
      assertTrue(n1.stats().reconnects() >= 1);
    }
  }

  @Test
  void addedMemberWithoutTheSharedSecretIsStillRefused() throws IOException {
    Path secret = Files.writeString(dir.resolve("cluster.secret"), "c2VjcmV0LXNoYXJlZC1ieS1ldmVyeS1tZW1iZXI=");
    Path wrong = Files.writeString(dir.resolve("wrong.secret"), "d2VjcmV0LXNoYXJlZC1ieS1ldmVyeS1tZW1iZXI=");
    try (RunningNode n1 = new RunningNode(config(N1, Set.of(N2), b -> b.sharedSecret(secret)));
        RunningNode n3 = new RunningNode(config(N3, Set.of(N1), b -> b.sharedSecret(wrong)))) {
      n1.transport.configurationChanged(allThree());
      await().atMost(RunningNode.PATIENCE).until(() -> n1.stats().handshakeRejections() >= 2);
      assertFalse(n3.transport.isConnected(N1));
      assertFalse(n1.transport.isConnected(N3));
      assertTrue(n1.messages().isEmpty() && n3.messages().isEmpty());
    }
  }

  @Test
  void defaultResolverReadsHostPortOrTheRaftField() {
    assertEquals(InetSocketAddress.createUnresolved("10.0.0.4", 7000), PeerResolver.parse("10.0.0.4:7000"));
    assertEquals(InetSocketAddress.createUnresolved("raft-4.example", 7000),
        PeerResolver.parse("http=raft-4.example:8080;raft=raft-4.example:7000"));
    assertEquals(InetSocketAddress.createUnresolved("::1", 7000), PeerResolver.parse("[::1]:7000"));
    assertNull(PeerResolver.parse("http=h:1"), "no raft field");
    assertNull(PeerResolver.parse("::1:7000"), "an IPv6 literal needs brackets");
    assertNull(PeerResolver.parse("host"));
    assertNull(PeerResolver.parse("host:0"));
    assertNull(PeerResolver.parse("host:http"));
    assertNull(PeerResolver.DEFAULT.resolve(N3, null));
  }
}
