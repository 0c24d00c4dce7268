package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.pontoon.raft.NodeId;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificates and keys are read again from their files while the transport runs: sound new
 * material is used for new connections, unsound new material is refused once, loudly, and the
 * material in use keeps serving. Over real loopback sockets.
 */
class TlsReloadTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final Instant TOMORROW = Instant.now().plus(Duration.ofDays(1));

  @TempDir
  Path dir;
  private TestCertificates ca;
  private TestCertificates.NodeFiles n2Files;
  private RunningNode n1;
  private RunningNode n2;

  @BeforeEach
  void startTwoNodes() {
    ca = new TestCertificates(dir, "cluster");
    LoopbackCluster cluster = new LoopbackCluster(List.of(N1, N2));
    TestCertificates.NodeFiles n1Files = ca.issue("n1");
    n2Files = ca.issue("n2");
    n1 = new RunningNode(cluster.config(N1, b -> b.tls(n1Files.chain(), n1Files.key(), n1Files.trust())
        .tlsReloadInterval(Duration.ofMillis(50))));
    n2 = new RunningNode(cluster.config(N2, b -> b.tls(n2Files.chain(), n2Files.key(), n2Files.trust())
        .tlsReloadInterval(Duration.ofMillis(50))));
    n1.awaitLink(n2);
  }

  @AfterEach
  void stopNodes() {
    n1.close();
    n2.close();
  }

  @Test
  void rotatedCertificateIsPresentedOnNewConnectionsWithoutARestart() {
    BigInteger before = servedTo(n1).getSerialNumber();
    TestCertificates.NodeFiles next = ca.issueAs("n2-next", "n2", TOMORROW);

    TestCertificates.rotate(next, n2Files);

    await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().tlsReloads() == 1);
    reconnect(n1, N2);
    assertEquals(TestCertificates.certificate(n2Files).getSerialNumber(), servedTo(n1).getSerialNumber());
    assertNotEquals(before, servedTo(n1).getSerialNumber());
  }

  @Test
  void unreadableReplacementIsRefusedOnceAndTheMaterialInUseKeepsServing() throws IOException {
    BigInteger before = servedTo(n1).getSerialNumber();
    replaceAtomically(n2Files.key(), "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");

    await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().tlsReloadFailures() == 1);
    reconnect(n1, N2);

    assertEquals(before, servedTo(n1).getSerialNumber(), "the previous certificate still serves");
    assertEquals(1, n2.stats().tlsReloadFailures(), "a problem that persists is reported once");
    assertEquals(0, n2.stats().tlsReloads());
  }

  @Test
  void keyOfAnotherCertificateIsRefused() throws IOException {
    BigInteger before = servedTo(n1).getSerialNumber();
    TestCertificates.NodeFiles other = ca.issueAs("n2-other", "n2", TOMORROW);
    replaceAtomically(n2Files.key(), Files.readString(other.key()));

    await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().tlsReloadFailures() == 1);
    reconnect(n1, N2);

    assertEquals(before, servedTo(n1).getSerialNumber());
  }

  @Test
  void expiredReplacementIsRefused() {
    BigInteger before = servedTo(n1).getSerialNumber();
    TestCertificates.NodeFiles expired = ca.issueAs("n2-expired", "n2", Instant.now().minus(Duration.ofMinutes(1)));

    TestCertificates.rotate(expired, n2Files);

    await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().tlsReloadFailures() >= 1);
    reconnect(n1, N2);
    assertEquals(before, servedTo(n1).getSerialNumber());
    assertEquals(0, n2.stats().tlsReloads());
  }

  /**
   * Replaces {@code file} in one step, as an operator's tooling does: the 50 ms reload must never
   * read a half-written file, which would be a second, different problem and count twice.
   */
  private static void replaceAtomically(java.nio.file.Path file, String content) throws IOException {
    java.nio.file.Path staged = file.resolveSibling(file.getFileName() + ".staged");
    Files.writeString(staged, content);
    Files.move(staged, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** Closes {@code from}'s connection to {@code to} and waits until a new one carries messages. */
  private static void reconnect(RunningNode from, NodeId to) {
    Channel old = from.transport.channelTo(to);
    old.close().syncUninterruptibly();
    await().atMost(RunningNode.PATIENCE)
        .until(() -> from.transport.isConnected(to) && from.transport.channelTo(to) != old);
  }

  /** The certificate {@code node}'s peer n2 presented on its current connection. */
  private static X509Certificate servedTo(RunningNode node) {
    try {
      SslHandler tls = node.transport.channelTo(N2).pipeline().get(SslHandler.class);
      return (X509Certificate) tls.engine().getSession().getPeerCertificates()[0];
    } catch (SSLPeerUnverifiedException e) {
      throw new AssertionError(e);
    }
  }
}
