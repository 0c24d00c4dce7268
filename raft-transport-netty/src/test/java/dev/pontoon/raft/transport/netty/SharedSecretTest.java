package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shared secret for plain TCP: each side of a connection proves it knows the secret with an
 * HMAC over both sides' fresh nonces; the secret never goes on the wire. Over real loopback sockets.
 */
class SharedSecretTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final long CLUSTER = LoopbackCluster.CLUSTER_ID;
  private static final String SECRET = "c2VjcmV0LXNoYXJlZC1ieS1ldmVyeS1tZW1iZXItb2YtdGhlLWNsdXN0ZXI=";

  @TempDir
  Path dir;
  private Path secretFile;
  private LoopbackCluster cluster;

  @BeforeEach
  void writeSecret() throws IOException {
    secretFile = Files.writeString(dir.resolve("cluster.secret"), SECRET + "\n");
    cluster = new LoopbackCluster(List.of(N1, N2, N3));
  }

  private NettyTransportConfig withSecret(NodeId id, Path file) {
    return cluster.config(id, b -> b.sharedSecret(file));
  }

  @Test
  void membersWithTheSameSecretExchangeMessages() {
    try (RunningNode n1 = new RunningNode(withSecret(N1, secretFile));
        RunningNode n2 = new RunningNode(withSecret(N2, secretFile))) {
      n1.awaitLink(n2);
      n2.awaitLink(n1);
      assertEquals(0, n1.stats().handshakeRejections() + n2.stats().handshakeRejections());
    }
  }

  @Test
  void memberWithAWrongSecretIsRefusedCountedAndTheClusterKeepsServing() throws IOException {
    Path wrong = Files.writeString(dir.resolve("wrong.secret"), SECRET.replace('c', 'd'));
    try (RunningNode n1 = new RunningNode(withSecret(N1, secretFile));
        RunningNode n2 = new RunningNode(withSecret(N2, secretFile));
        RunningNode n3 = new RunningNode(withSecret(N3, wrong))) {
      await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().handshakeRejections() >= 1
          && n3.stats().handshakeRejections() >= 1);
      n3.transport.send(SampleMessages.numbered(N3, N2, 1));
      assertFalse(n3.transport.isConnected(N2));
      assertFalse(n2.transport.isConnected(N3));
      n1.awaitLink(n2);
      n2.awaitLink(n1);
      assertTrue(n2.messages().stream().noneMatch(m -> m.from().equals(N3)), "nothing from the wrong secret");
    }
  }

  @Test
  void memberWithoutTheSecretIsRefusedEitherWay() {
    try (RunningNode n2 = new RunningNode(withSecret(N2, secretFile));
        RunningNode n1 = new RunningNode(cluster.config(N1))) {
      await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().handshakeRejections() >= 1
          && n1.stats().handshakeRejections() >= 1);
      assertFalse(n1.transport.isConnected(N2));
      assertFalse(n2.transport.isConnected(N1));
    }
  }

  @Test
  void connectorWithoutAValidProofNeverHasAMessageDecoded() {
    SharedSecret wrong = new SharedSecret(SECRET.replace('c', 'd').getBytes(StandardCharsets.US_ASCII));
    try (RunningNode n2 = new RunningNode(withSecret(N2, secretFile));
        RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      Bytes ourNonce = SharedSecret.newNonce(new SecureRandom());
      Hello answer = socket.handshakeAs(new Hello(CLUSTER, N1, true, ourNonce, Bytes.EMPTY));
      HelloProof guess = new HelloProof(wrong.connectorProof(LoopbackCluster.CLUSTER, N1, N2, ourNonce, answer.nonce()));
      socket.write(concat(Frames.encode(guess, CLUSTER), Frames.encode(SampleMessages.numbered(N1, N2, 1), CLUSTER)));
      assertTrue(socket.closedByPeer());
      await().atMost(RunningNode.PATIENCE).until(() -> n2.stats().handshakeRejections() == 1);
      assertEquals(0, n2.transport.counters().raftMessagesDecoded.sum());
      assertTrue(n2.messages().isEmpty());
    }
  }

  @Test
  void proofMadeForAnotherChallengeIsRefused() throws IOException {
    SharedSecret secret = SharedSecret.load(secretFile);
    try (RunningNode n2 = new RunningNode(withSecret(N2, secretFile));
        RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      Bytes ourNonce = SharedSecret.newNonce(new SecureRandom());
      Hello answer = socket.handshakeAs(new Hello(CLUSTER, N1, true, ourNonce, Bytes.EMPTY));
      assertTrue(SharedSecret.matches(secret.acceptorProof(LoopbackCluster.CLUSTER, N1, N2, ourNonce, answer.nonce()), answer.proof()),
          "the acceptor proves the secret for this challenge");
      Bytes otherChallenge = SharedSecret.newNonce(new SecureRandom());
      socket.send(new HelloProof(secret.connectorProof(LoopbackCluster.CLUSTER, N1, N2, ourNonce, otherChallenge)));
      assertTrue(socket.closedByPeer(), "a proof recorded on another connection does not open this one");
    }
  }

  @Test
  void connectorThatProvesTheSecretIsAccepted() throws IOException {
    SharedSecret secret = SharedSecret.load(secretFile);
    try (RunningNode n2 = new RunningNode(withSecret(N2, secretFile));
        RawSocket socket = new RawSocket(n2.transport.localAddress(), CLUSTER)) {
      Bytes ourNonce = SharedSecret.newNonce(new SecureRandom());
      Hello answer = socket.handshakeAs(new Hello(CLUSTER, N1, true, ourNonce, Bytes.EMPTY));
      socket.send(new HelloProof(secret.connectorProof(LoopbackCluster.CLUSTER, N1, N2, ourNonce, answer.nonce())));
      RaftMessage message = SampleMessages.numbered(N1, N2, 1);
      socket.send(message);
      await().atMost(RunningNode.PATIENCE).until(() -> n2.messages().contains(message));
    }
  }

  @Test
  void secretNeverGoesOnTheWire() throws IOException {
    // n1 connects to a raw acceptor that answers with a valid proof and records what n1 sends.
    SharedSecret secret = SharedSecret.load(secretFile);
    try (ServerSocket acceptor = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      NettyTransportConfig config = NettyTransportConfig.builder(N1, LoopbackCluster.CLUSTER).listenAddress(cluster.address(N1))
          .peer(N2, new InetSocketAddress(InetAddress.getLoopbackAddress(), acceptor.getLocalPort()))
          .sharedSecret(secretFile).build();
      try (RunningNode n1 = new RunningNode(config); RawSocket n2 = new RawSocket(acceptor.accept(), CLUSTER)) {
        Hello hello = (Hello) n2.readMessage();
        Bytes ourNonce = SharedSecret.newNonce(new SecureRandom());
        Hello answer = new Hello(CLUSTER, N2, true, ourNonce, secret.acceptorProof(LoopbackCluster.CLUSTER, N1, N2, hello.nonce(),
            ourNonce));
        n2.send(answer);
        HelloProof proof = (HelloProof) n2.readMessage();
        assertTrue(SharedSecret.matches(secret.connectorProof(LoopbackCluster.CLUSTER, N1, N2, hello.nonce(), ourNonce), proof.proof()));
        await().atMost(RunningNode.PATIENCE).until(() -> n1.transport.isConnected(N2));
        byte[] secretBytes = SECRET.getBytes(StandardCharsets.US_ASCII);
        byte[] wire = n2.receivedBytes();
        for (int i = 0; i + 8 <= secretBytes.length; i++) {
          assertFalse(contains(wire, java.util.Arrays.copyOfRange(secretBytes, i, i + 8)), "no part of the secret on the wire");
        }
      }
    }
  }

  @Test
  void proofsDependOnEveryPartOfTheChallenge() {
    SharedSecret secret = new SharedSecret(SECRET.getBytes(StandardCharsets.US_ASCII));
    Bytes a = SharedSecret.newNonce(new SecureRandom());
    Bytes b = SharedSecret.newNonce(new SecureRandom());
    Bytes proof = secret.connectorProof(LoopbackCluster.CLUSTER, N1, N2, a, b);
    assertArrayEquals(proof.toByteArray(), secret.connectorProof(LoopbackCluster.CLUSTER, N1, N2, a, b).toByteArray());
    for (Bytes other : List.of(secret.acceptorProof(LoopbackCluster.CLUSTER, N1, N2, a, b), secret.connectorProof(dev.pontoon.raft.ClusterId.of("another"), N1, N2, a, b),
        secret.connectorProof(LoopbackCluster.CLUSTER, N3, N2, a, b), secret.connectorProof(LoopbackCluster.CLUSTER, N1, N3, a, b),
        secret.connectorProof(LoopbackCluster.CLUSTER, N1, N2, b, a))) {
      assertNotEquals(proof, other);
    }
  }

  @Test
  void shortSecretFileIsRefusedWithTheRule() throws IOException {
    Path tooShort = Files.writeString(dir.resolve("short.secret"), "hunter2\n");
    NettyTransport transport = new NettyTransport(withSecret(N1, tooShort));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> transport.start(m -> { }));
    assertTrue(e.getMessage().contains("the shared secret has 7 bytes; at least 32 are needed"), e.getMessage());
    transport.close();
  }

  @Test
  void plainTcpWithoutASecretWarnsOnceThatTheClusterIsUnauthenticated() {
    List<String> warnings = NettyTransport.securityWarnings(cluster.config(N1));
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).startsWith("the cluster is UNAUTHENTICATED"), warnings.get(0));
    assertEquals(List.of(), NettyTransport.securityWarnings(withSecret(N1, secretFile)));
    assertFalse(new SharedSecret(SECRET.getBytes(StandardCharsets.US_ASCII)).toString().contains(SECRET.substring(0, 8)));
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
