package dev.pontoon.raft.transport.netty;

import io.netty.handler.codec.CorruptedFrameException;

/** A frame was written in a protocol version this code does not speak. */
final class UnsupportedVersionException extends CorruptedFrameException {
  UnsupportedVersionException(int version) {
    super("unsupported protocol version " + version + " (this node speaks " + WireFormat.VERSION + ")");
  }
}
