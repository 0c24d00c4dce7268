package dev.pontoon.raft.transport.netty;

import io.netty.handler.codec.CorruptedFrameException;

/** A frame names a message type this version of the protocol does not know. */
final class UnknownMessageTypeException extends CorruptedFrameException {
  UnknownMessageTypeException(byte type) {
    super("unknown message type " + type);
  }
}
