package dev.pontoon.raft.transport.netty;

import io.netty.handler.codec.DecoderException;

/**
 * A well-formed frame header that the protocol does not allow at this point of the connection,
 * such as a Raft message before the handshake. Raised by {@link FrameDecoder} before the frame's
 * body is decoded; counted as a protocol violation, not as a decode error.
 */
final class ProtocolViolationException extends DecoderException {
  ProtocolViolationException(String message) {
    super(message);
  }
}
