package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster's shared secret and the HMAC challenge built on it, for nodes that cannot run TLS.
 * The secret never goes on the wire; each side proves it knows the secret with an HMAC-SHA256 over
 * a transcript that binds the cluster, both node ids and both sides' fresh nonces, under a label
 * naming the side, so that no proof can be replayed on another connection, by the other side, or
 * for another pair of nodes.
 *
 * <pre>
 *   connector -> acceptor: Hello(C, flags, Nc)
 *   acceptor -> connector: Hello(A, flags, Na, HMAC(K, "pontoon-v2 acceptor" | T))
 *   connector -> acceptor: HelloProof(HMAC(K, "pontoon-v2 connector" | T))
 *   where T = len(K) K | len(C) C | len(A) A | Nc | Na, K the cluster id, C and A the node ids (UTF-8)
 * </pre>
 *
 * Each side checks the other's proof before it trusts the connection; proofs are compared in
 * constant time. This authenticates who opens a connection; it neither encrypts nor protects
 * the messages that follow from an attacker on the network path, which needs TLS. Immutable and
 * thread-safe; {@link #toString()} does not show the secret.
 */
final class SharedSecret {
  /** The fewest bytes a secret file must hold, after trailing white space is removed. */
  static final int MIN_SECRET_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] ACCEPTOR = "pontoon-v2 acceptor".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CONNECTOR = "pontoon-v2 connector".getBytes(StandardCharsets.US_ASCII);

  private final SecretKeySpec key;

  SharedSecret(byte[] secret) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("the shared secret has " + secret.length + " bytes; at least "
          + MIN_SECRET_BYTES + " are needed (for example the base64 of 32 random bytes)");
    }
    this.key = new SecretKeySpec(secret, ALGORITHM);
  }

  /**
   * The secret in {@code file}: its bytes without trailing white space (a final newline).
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if it holds fewer than {@value #MIN_SECRET_BYTES} bytes
   */
  static SharedSecret load(Path file) throws IOException {
    byte[] content = Files.readAllBytes(file);
    int end = content.length;
    while (end > 0 && Character.isWhitespace(content[end - 1])) {
      end--;
    }
    byte[] secret = Arrays.copyOf(content, end);
    Arrays.fill(content, (byte) 0);
    return new SharedSecret(secret);
  }

  /** A fresh nonce from {@code random}. */
  static Bytes newNonce(SecureRandom random) {
    byte[] nonce = new byte[WireFormat.NONCE_SIZE];
    random.nextBytes(nonce);
    return Bytes.wrap(nonce);
  }

  /** The acceptor's proof on the connection from {@code connector} to {@code acceptor}. */
  Bytes acceptorProof(ClusterId clusterId, NodeId connector, NodeId acceptor, Bytes connectorNonce, Bytes acceptorNonce) {
    return proof(ACCEPTOR, clusterId, connector, acceptor, connectorNonce, acceptorNonce);
  }

  /** The connector's proof on the connection from {@code connector} to {@code acceptor}. */
  Bytes connectorProof(ClusterId clusterId, NodeId connector, NodeId acceptor, Bytes connectorNonce, Bytes acceptorNonce) {
    return proof(CONNECTOR, clusterId, connector, acceptor, connectorNonce, acceptorNonce);
  }

  /** Whether {@code presented} equals {@code expected}, in time independent of where they differ. */
  static boolean matches(Bytes expected, Bytes presented) {
    return MessageDigest.isEqual(expected.toByteArray(), presented.toByteArray());
  }

  private Bytes proof(byte[] label, ClusterId clusterId, NodeId connector, NodeId acceptor, Bytes connectorNonce,
      Bytes acceptorNonce) {
    byte[] k = clusterId.value().getBytes(StandardCharsets.UTF_8);
    byte[] c = connector.value().getBytes(StandardCharsets.UTF_8);
    byte[] a = acceptor.value().getBytes(StandardCharsets.UTF_8);
    ByteBuffer transcript = ByteBuffer.allocate(label.length + 3 + k.length + c.length + a.length
        + 2 * WireFormat.NONCE_SIZE);
    transcript.put(label).put((byte) k.length).put(k).put((byte) c.length).put(c).put((byte) a.length).put(a)
        .put(connectorNonce.asReadOnlyByteBuffer()).put(acceptorNonce.asReadOnlyByteBuffer());
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return Bytes.wrap(mac.doFinal(transcript.array()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }

  @Override
  public String toString() {
    return "SharedSecret[hidden]";
  }
}
