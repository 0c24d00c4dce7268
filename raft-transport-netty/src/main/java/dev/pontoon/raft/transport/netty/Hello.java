package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import java.util.Objects;

/**
 * The handshake frame. The connecting node sends it first, naming itself; the accepting node
 * checks the cluster id and the node id and answers with a {@code Hello} naming itself, or closes
 * the connection. With a shared secret, each side's Hello carries a fresh nonce, the answer
 * carries the acceptor's proof, and the connecting node then sends a {@link HelloProof} of its
 * own (see {@link SharedSecret}).
 *
 * @param clusterTag the tag of the sender's cluster, carried in the frame header
 * @param nodeId the sender
 * @param sharedSecret whether the sender is configured with a shared secret
 * @param nonce {@value WireFormat#NONCE_SIZE} random bytes, fresh for each connection
 * @param proof empty, or in the acceptor's answer with a shared secret, its {@value
 *     WireFormat#PROOF_SIZE}-byte proof
 */
record Hello(long clusterTag, NodeId nodeId, boolean sharedSecret, Bytes nonce, Bytes proof) {
  /** The nonce of Hellos that no proof depends on, in tests. */
  static final Bytes ZERO_NONCE = Bytes.wrap(new byte[WireFormat.NONCE_SIZE]);

  Hello {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(proof, "proof");
    if (nonce.size() != WireFormat.NONCE_SIZE) {
      throw new IllegalArgumentException("nonce has " + nonce.size() + " bytes, not " + WireFormat.NONCE_SIZE);
    }
    if (proof.size() != 0 && proof.size() != WireFormat.PROOF_SIZE) {
      throw new IllegalArgumentException("proof has " + proof.size() + " bytes, not 0 or " + WireFormat.PROOF_SIZE);
    }
  }

  /** A Hello without a shared secret, with an all-zero nonce. */
  Hello(long clusterTag, NodeId nodeId) {
    this(clusterTag, nodeId, false, ZERO_NONCE, Bytes.EMPTY);
  }
}
