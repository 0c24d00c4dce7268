package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mutual TLS from PEM files: peers with a certificate from the cluster CA talk, others are refused. */
class MutualTlsTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  @TempDir
  Path dir;
  private TestCertificates clusterCa;
  private LoopbackCluster cluster;

  @BeforeEach
  void makeCertificates() {
    clusterCa = new TestCertificates(dir, "cluster");
    cluster = new LoopbackCluster(List.of(N1, N2, N3));
  }

  private NettyTransportConfig tlsConfig(NodeId id, TestCertificates.NodeFiles files) {
    return cluster.config(id, b -> b.tls(files.chain(), files.key(), files.trust()));
  }

  @Test
  void peersWithCertificatesOfTheClusterCaExchangeEveryMessageType() {
    try (RunningNode n1 = new RunningNode(tlsConfig(N1, clusterCa.issue("n1")));
        RunningNode n2 = new RunningNode(tlsConfig(N2, clusterCa.issue("n2")))) {
      n1.awaitLink(n2);
      n2.awaitLink(n1);
      List<RaftMessage> samples = SampleMessages.all(N1, N2);
      samples.forEach(n1.transport::send);
      await().atMost(RunningNode.PATIENCE).until(() -> new HashSet<>(n2.messages()).containsAll(samples));
      assertEquals(0, n2.stats().handshakeRejections());
    }
  }

  @Test
  void peerWithACertificateFromAnotherCaIsRefusedAndCounted() {
    TestCertificates rogueCa = new TestCertificates(dir, "rogue");
    // The rogue node trusts the cluster CA, so only the cluster's check of its certificate stops it.
    TestCertificates.NodeFiles rogueFiles = rogueCa.issue("n3").trusting(clusterCa.trustFile());
    try (RunningNode n2 = new RunningNode(tlsConfig(N2, clusterCa.issue("n2")));
        RunningNode rogue = new RunningNode(tlsConfig(N3, rogueFiles))) {
      await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().handshakeRejections() >= 1);
      rogue.transport.send(SampleMessages.numbered(N3, N2, 1));
      assertFalse(rogue.transport.isConnected(N2));
      assertTrue(n2.messages().stream().noneMatch(m -> m.from().equals(N3)), "nothing from the rogue node");
    }
  }

  @Test
  void peerWithAnExpiredCertificateIsRefusedAndTheClusterKeepsServing() throws Exception {
    TestCertificates.NodeFiles expired = clusterCa.issue("n1", Instant.now().minus(Duration.ofMinutes(1)));
    try (RunningNode n2 = new RunningNode(tlsConfig(N2, clusterCa.issue("n2")));
        RunningNode n3 = new RunningNode(tlsConfig(N3, clusterCa.issue("n3")));
        RawSocket n1 = new RawSocket(TestCertificates.clientContext(expired).getSocketFactory()
            .createSocket(n2.transport.localAddress().getAddress(), n2.transport.localAddress().getPort()),
            LoopbackCluster.CLUSTER_ID)) {
      n1.send(new Hello(LoopbackCluster.CLUSTER_ID, N1));
      assertTrue(n1.closedByPeer());
      await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().handshakeRejections() >= 1);
      n3.awaitLink(n2);
      n2.awaitLink(n3);
      assertTrue(n2.messages().stream().noneMatch(m -> m.from().equals(N1)), "nothing from the expired node");
    }
  }

  @Test
  void nodeWithAnExpiredCertificateRefusesToStartNamingTheDates() {
    TestCertificates.NodeFiles expired = clusterCa.issue("n1", Instant.now().minus(Duration.ofMinutes(1)));
    NettyTransport transport = new NettyTransport(tlsConfig(N1, expired));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> transport.start(m -> { }));
    assertTrue(e.getMessage().startsWith("cannot load TLS material of n1: the certificate of CN=n1"), e.getMessage());
    assertTrue(e.getMessage().contains("has expired (valid from"), e.getMessage());
    transport.close();
  }

  @Test
  void plainTcpPeerCannotTalkToATlsNode() {
    try (RunningNode n2 = new RunningNode(tlsConfig(N2, clusterCa.issue("n2")));
        RawSocket plain = new RawSocket(n2.transport.localAddress(), LoopbackCluster.CLUSTER_ID)) {
      plain.send(new Hello(LoopbackCluster.CLUSTER_ID, N1));
      assertTrue(plain.closedByPeer());
      assertTrue(n2.messages().isEmpty());
      // The refusal is counted on the I/O thread, possibly just after the socket closed.
      await().atMost(RunningNode.PATIENCE)
          .until(() -> n2.stats().decodeErrors() + n2.stats().handshakeRejections() >= 1);
      assertEquals(1, n2.stats().decodeErrors() + n2.stats().handshakeRejections());
    }
  }

  @Test
  void unreadableKeyFailsStartWithAClearMessage() throws Exception {
    TestCertificates.NodeFiles files = clusterCa.issue("n1");
    Path garbage = Files.writeString(dir.resolve("garbage-key.pem"), "not a key");
    NettyTransport transport = new NettyTransport(tlsConfig(N1, new TestCertificates.NodeFiles(files.chain(),
        garbage, files.trust())));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> transport.start(m -> { }));
    assertTrue(e.getMessage().startsWith("cannot load TLS material of n1"), e.getMessage());
    transport.close();
  }
}
