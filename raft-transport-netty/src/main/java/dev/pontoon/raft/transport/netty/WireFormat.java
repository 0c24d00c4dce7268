package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.ClusterId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Constants of the Pontoon wire protocol, version 3. The layout is drawn in {@link FrameEncoder}
 * and specified in {@code WIRE-FORMAT.md} beside this module's {@code pom.xml}.
 */
final class WireFormat {
  /** Two bytes that open every frame after the length: ASCII "PN". */
  static final short MAGIC = 0x504E;
  /**
   * The only protocol version this code speaks (2: the handshake carries nonces and proofs; 3:
   * InstallSnapshot carries the whole cluster configuration in its own versioned encoding).
   */
  static final byte VERSION = 3;

  /** Bytes of the length prefix. */
  static final int LENGTH_FIELD_SIZE = 4;
  /** Bytes after the length prefix and before the body: magic, version, type, cluster, group. */
  static final int HEADER_SIZE = 2 + 1 + 1 + 8 + 4;
  /** The group id used until several Raft groups share one connection. */
  static final int DEFAULT_GROUP = 0;
  /**
   * Largest value of the length field before the handshake is complete: a Hello needs a few
   * hundred bytes, and an unauthenticated peer gets no more than this.
   */
  static final int MAX_HANDSHAKE_FRAME_SIZE = 4096;
  /** Default largest value of the length field: 8 MiB, above the engine's 4 MiB append batches. */
  static final int DEFAULT_MAX_FRAME_SIZE = 8 * 1024 * 1024;

  static final byte TYPE_HELLO = 1;
  static final byte TYPE_REQUEST_VOTE = 2;
  static final byte TYPE_REQUEST_VOTE_RESPONSE = 3;
  static final byte TYPE_APPEND_ENTRIES = 4;
  static final byte TYPE_APPEND_ENTRIES_RESPONSE = 5;
  static final byte TYPE_INSTALL_SNAPSHOT = 6;
  static final byte TYPE_INSTALL_SNAPSHOT_RESPONSE = 7;
  static final byte TYPE_TIMEOUT_NOW = 8;
  static final byte TYPE_HELLO_PROOF = 9;

  /** Bytes of a handshake nonce. */
  static final int NONCE_SIZE = 32;
  /** Bytes of a handshake proof (HMAC-SHA256). */
  static final int PROOF_SIZE = 32;
  /** Hello flag: the sender is configured with a shared secret. */
  static final int HELLO_FLAG_SHARED_SECRET = 1;


  /** Flag bits of the one-byte flag fields; any other bit set is a corrupted frame. */
  static final int FLAG_0 = 1;
  static final int FLAG_1 = 2;

  /** Smallest encoding of one entry: term, kind and payload length. */
  static final int MIN_ENTRY_SIZE = 8 + 1 + 4;

  /**
   * Payloads of at least this many bytes are added to the outgoing frame as a wrapped component
   * instead of being copied into the header buffer; below it a copy is cheaper than a component.
   */
  static final int WRAP_PAYLOAD_THRESHOLD = 1024;

  private WireFormat() {}

  /**
   * The 64-bit tag of {@code cluster} carried in every frame header: the first 8 bytes, big-endian,
   * of the SHA-256 of its UTF-8 text. Distinct clusters get distinct tags except with negligible
   * probability; the tag catches misconfiguration and is not a secret.
   */
  static long tagOf(ClusterId cluster) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cluster.value().getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable", e);
    }
  }
}
