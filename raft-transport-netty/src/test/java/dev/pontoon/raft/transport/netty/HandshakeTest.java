package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RequestVote;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Who may connect: the handshake names cluster and node on both ends, and anything else is refused. */
class HandshakeTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final long CLUSTER = LoopbackCluster.CLUSTER_ID;
  /**
   * The handshake timeout of the node most tests talk to: generous, so that on a loaded machine a
   * slow but well-behaved peer is never cut off by it before the test sees what it checks.
   */
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  /** Only for the test of a connection that never says hello, which waits for the timeout to end it. */
  private static final Duration SHORT_HANDSHAKE_TIMEOUT = Duration.ofMillis(300);

  private LoopbackCluster cluster;
  private RunningNode n2;

  @BeforeEach
  void startN2() {
    cluster = new LoopbackCluster(List.of(N1, N2, N3));
    n2 = new RunningNode(cluster.config(N2, b -> b.handshakeTimeout(HANDSHAKE_TIMEOUT)));
  }

  @AfterEach
  void stop() {
    n2.close();
  }

  @Test
  void configuredPeerOfTheSameClusterIsAnsweredWithTheAcceptorsHello() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      Hello answer = socket.handshakeAs(N1);
      assertEquals(N2, answer.nodeId());
      assertEquals(CLUSTER, answer.clusterTag());
      assertEquals(WireFormat.NONCE_SIZE, answer.nonce().size());
      assertEquals(0, answer.proof().size(), "no shared secret, no proof");
    }
    assertEquals(0, n2.stats().handshakeRejections());
  }

  @Test
  void peerOfAnotherClusterIsRefused() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER + 1)) {
      socket.send(new Hello(CLUSTER + 1, N1));
      assertTrue(socket.closedByPeer());
    }
    assertEquals(1, n2.stats().handshakeRejections());
  }

  @Test
  void nodeOutsideTheConfigurationIsRefused() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.send(new Hello(CLUSTER, NodeId.of("n9")));
      assertTrue(socket.closedByPeer());
    }
    assertEquals(1, n2.stats().handshakeRejections());
  }

  @Test
  void nodeClaimingTheAcceptorsOwnIdIsRefused() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.send(new Hello(CLUSTER, N2));
      assertTrue(socket.closedByPeer());
    }
    assertEquals(1, n2.stats().handshakeRejections());
  }

  @Test
  void connectionThatNeverSaysHelloIsClosedAfterTheHandshakeTimeout() {
    // A node of its own with a short handshake timeout, well within the socket's 30 s read timeout.
    LoopbackCluster other = new LoopbackCluster(List.of(N1, N2, N3));
    try (RunningNode impatient = new RunningNode(other.config(N2, b -> b.handshakeTimeout(SHORT_HANDSHAKE_TIMEOUT)))) {
      try (RawSocket socket = new RawSocket(impatient.transport.localAddress(), CLUSTER)) {
        assertTrue(socket.closedByPeer());
      }
      assertEquals(1, impatient.stats().handshakeRejections());
    }
  }

  @Test
  void messageBeforeTheHandshakeIsAProtocolViolation() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.send(new RequestVote(N1, N2, 1, 0, 0, false, false));
      assertTrue(socket.closedByPeer());
    }
    assertEquals(1, n2.stats().protocolViolations());
    assertTrue(n2.messages().isEmpty());
  }

  @Test
  void messageWhoseSenderIsNotTheConnectedPeerIsAProtocolViolation() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.handshakeAs(N1);
      socket.send(new RequestVote(N3, N2, 1, 0, 0, false, false));
      assertTrue(socket.closedByPeer());
    }
    assertEquals(1, n2.stats().protocolViolations());
    assertTrue(n2.messages().isEmpty());
  }

  @Test
  void messageForAnotherNodeIsAProtocolViolation() {
    try (RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      socket.handshakeAs(N1);
      RequestVote accepted = new RequestVote(N1, N2, 1, 0, 0, false, false);
      socket.send(accepted);
      socket.send(new RequestVote(N1, N3, 1, 0, 0, false, false));
      assertTrue(socket.closedByPeer());
      assertEquals(List.of(accepted), n2.messages(), "what came before the violation is kept");
    }
    assertEquals(1, n2.stats().protocolViolations());
  }

  @Test
  void outboundConnectionToANodeOfAnotherClusterIsRefused() {
    NettyTransportConfig foreign = NettyTransportConfig.builder(N1, dev.pontoon.raft.ClusterId.of("another"))
        .listenAddress(cluster.address(N1))
        .peer(N2, cluster.address(N2))
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .build();
    try (RunningNode n1 = new RunningNode(foreign)) {
      // Both counters move on I/O threads: wait for the refusal and the retry after it.
      await().atMost(RunningNode.PATIENCE)
          .until(() -> n2.stats().handshakeRejections() >= 2 && n1.stats().reconnects() >= 2);
      assertFalse(n1.transport.isConnected(N2));
    }
  }

  @Test
  void outboundConnectionFindingAnotherNodeAtThePeersAddressIsRefused() {
    // n1 believes n3 listens where n2 actually does.
    NettyTransportConfig confused = NettyTransportConfig.builder(N1, LoopbackCluster.CLUSTER)
        .listenAddress(cluster.address(N1))
        .peer(N3, cluster.address(N2))
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .build();
    try (RunningNode n1 = new RunningNode(confused)) {
      await().atMost(RunningNode.PATIENCE).until(() -> n1.stats().handshakeRejections() >= 1);
      assertFalse(n1.transport.isConnected(N3));
    }
  }
}
