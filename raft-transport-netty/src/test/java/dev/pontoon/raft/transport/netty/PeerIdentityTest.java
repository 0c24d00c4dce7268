package dev.pontoon.raft.transport.netty;

import static dev.pontoon.raft.transport.netty.TestCertificates.dns;
import static dev.pontoon.raft.transport.netty.TestCertificates.uri;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.transport.SampleMessages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who a TLS peer is: its certificate must name the node id it claims (a DNS name or a {@code
 * urn:pontoon:node:} URI), by default; and a peer configured by host name must present a
 * certificate for that name. Over real loopback sockets.
 */
class PeerIdentityTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final Instant TOMORROW = Instant.now().plus(Duration.ofDays(1));

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
  void memberClaimingAnotherMembersIdIsRefusedByDefault() {
    // A genuine cluster certificate, issued to n3, used by a node that claims to be n1.
    try (RunningNode n2 = new RunningNode(tlsConfig(N2, clusterCa.issue("n2")));
        RunningNode impostor = new RunningNode(tlsConfig(N1, clusterCa.issue("n3")))) {
      await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().handshakeRejections() >= 1);
      impostor.transport.send(SampleMessages.numbered(N1, N2, 1));
      assertFalse(impostor.transport.isConnected(N2));
      assertTrue(n2.messages().isEmpty(), "nothing from the impostor");
    }
  }

  @Test
  void impostorsAppendEntriesBehindItsHelloIsNeverDecoded() throws IOException {
    TestCertificates.NodeFiles n3Files = clusterCa.issue("n3");
    AppendEntries forged = new AppendEntries(N1, N2, 9, 0, 0,
        List.of(LogEntry.command(1, 9, Bytes.ofUtf8("overwrite"))), 0, 1);
    byte[] helloAndForgery = concat(Frames.encode(new Hello(LoopbackCluster.CLUSTER_ID, N1), LoopbackCluster.CLUSTER_ID),
        Frames.encode(forged, LoopbackCluster.CLUSTER_ID));
    try (RunningNode n2 = new RunningNode(tlsConfig(N2, clusterCa.issue("n2")));
        RawSocket impostor = new RawSocket(tlsSocket(n3Files, n2.transport.localAddress()), LoopbackCluster.CLUSTER_ID)) {
      impostor.write(helloAndForgery);
      assertTrue(impostor.closedByPeer());
      await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().handshakeRejections() == 1);
      assertEquals(0, n2.transport.counters().raftMessagesDecoded.sum(), "the forged AppendEntries was not decoded");
      assertTrue(n2.messages().isEmpty());
    }
  }

  @Test
  void nodeIdAsAUriSubjectAlternativeNameIsAccepted() {
    TestCertificates.NodeFiles n1Files = clusterCa.issue("n1-uri", "some host", TOMORROW,
        uri(CertificateIdentity.URI_PREFIX + "n1"), dns("localhost"));
    try (RunningNode n1 = new RunningNode(tlsConfig(N1, n1Files));
        RunningNode n2 = new RunningNode(tlsConfig(N2, clusterCa.issue("n2")))) {
      n1.awaitLink(n2);
      n2.awaitLink(n1);
      assertEquals(0, n1.stats().handshakeRejections() + n2.stats().handshakeRejections());
    }
  }

  @Test
  void commonNameAloneDoesNotNameANode() {
    TestCertificates.NodeFiles cnOnly = clusterCa.issue("n1-cn", "n1", TOMORROW, dns("localhost"));
    try (RunningNode n2 = new RunningNode(tlsConfig(N2, clusterCa.issue("n2")));
        RunningNode n1 = new RunningNode(tlsConfig(N1, cnOnly))) {
      await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().handshakeRejections() >= 1);
      n1.transport.send(SampleMessages.numbered(N1, N2, 1));
      assertFalse(n1.transport.isConnected(N2));
      assertTrue(n2.messages().isEmpty());
    }
  }

  @Test
  void insecureSkipNodeIdVerificationAcceptsAnyCertificateOfTheTrustedCaAndSaysSo() {
    TestCertificates.NodeFiles n3Files = clusterCa.issue("n3");
    NettyTransportConfig lax = cluster.config(N2, b -> {
      TestCertificates.NodeFiles n2Files = clusterCa.issue("n2");
      return b.tls(n2Files.chain(), n2Files.key(), n2Files.trust()).insecureSkipNodeIdVerification();
    });
    assertTrue(NettyTransport.securityWarnings(lax).get(0).startsWith("INSECURE: peers' certificates are not checked"));
    try (RunningNode n2 = new RunningNode(lax);
        RunningNode impostor = new RunningNode(tlsConfig(N1, n3Files))) {
      impostor.awaitLink(n2);
    }
  }

  @Test
  void peerConfiguredByHostNameMustPresentACertificateForThatName() {
    // n2's certificate names n2 and 127.0.0.1, but not localhost, the name n1 knows it by.
    TestCertificates.NodeFiles n2Files = clusterCa.issue("n2-ip", "n2", TOMORROW, dns("n2"),
        new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    assertEquals("localhost", cluster.address(N2).getHostString());
    try (RunningNode n2 = new RunningNode(tlsConfig(N2, n2Files));
        RunningNode n1 = new RunningNode(tlsConfig(N1, clusterCa.issue("n1")))) {
      await().atMost(RunningNode.PATIENCE).until(() -> n1.stats().handshakeRejections() >= 1);
      n1.transport.send(SampleMessages.numbered(N1, N2, 1));
      assertFalse(n1.transport.isConnected(N2));
      assertTrue(n2.messages().isEmpty());
    }
  }

  @Test
  void peerConfiguredByIpAddressIsCheckedByNodeIdAlone() {
    TestCertificates.NodeFiles n2Files = clusterCa.issue("n2-bare", "n2", TOMORROW, dns("n2"));
    TestCertificates.NodeFiles n1Files = clusterCa.issue("n1");
    InetSocketAddress n2ByIp = new InetSocketAddress("127.0.0.1", cluster.address(N2).getPort());
    NettyTransportConfig n1Config = NettyTransportConfig.builder(N1, LoopbackCluster.CLUSTER)
        .listenAddress(cluster.address(N1)).peer(N2, n2ByIp).backoff(Duration.ofMillis(10), Duration.ofMillis(200))
        .tls(n1Files.chain(), n1Files.key(), n1Files.trust()).build();
    try (RunningNode n2 = new RunningNode(tlsConfig(N2, n2Files));
        RunningNode n1 = new RunningNode(n1Config)) {
      n1.awaitLink(n2);
      assertEquals(0, n1.stats().handshakeRejections());
    }
  }

  private static SSLSocket tlsSocket(TestCertificates.NodeFiles files, InetSocketAddress address) {
    try {
      return (SSLSocket) TestCertificates.clientContext(files).getSocketFactory()
          .createSocket(address.getAddress(), address.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
