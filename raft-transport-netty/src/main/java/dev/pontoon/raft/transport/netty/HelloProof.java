package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.log.Bytes;
import java.util.Objects;

/**
 * The connecting node's proof that it knows the shared secret, sent after it has checked the
 * acceptor's answer; the third and last handshake frame, sent only when a shared secret is
 * configured (see {@link SharedSecret}).
 *
 * @param proof {@value WireFormat#PROOF_SIZE} bytes
 */
record HelloProof(Bytes proof) {
  HelloProof {
    Objects.requireNonNull(proof, "proof");
    if (proof.size() != WireFormat.PROOF_SIZE) {
      throw new IllegalArgumentException("proof has " + proof.size() + " bytes, not " + WireFormat.PROOF_SIZE);
    }
  }
}
