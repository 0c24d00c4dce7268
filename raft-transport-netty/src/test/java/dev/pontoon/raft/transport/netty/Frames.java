package dev.pontoon.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;

/** Frames as byte arrays, and decoders on embedded channels, for codec tests. */
final class Frames {
  static final long CLUSTER = 42;
  static final int MAX = WireFormat.DEFAULT_MAX_FRAME_SIZE;

  private Frames() {}

  /** The complete frame of {@code message} in cluster {@link #CLUSTER}. */
  static byte[] encode(Object message) {
    return encode(message, CLUSTER);
  }

  /** The complete frame of {@code message} in cluster {@code clusterId}. */
  static byte[] encode(Object message, long clusterId) {
    ByteBuf frame = FrameEncoder.encode(UnpooledByteBufAllocator.DEFAULT, message, clusterId, WireFormat.DEFAULT_GROUP);
    try {
      return ByteBufUtil.getBytes(frame);
    } finally {
      frame.release();
    }
  }

  /** A channel that decodes frames of cluster {@link #CLUSTER} up to {@code maxFrameSize}. */
  static EmbeddedChannel decoder(int maxFrameSize) {
    return new EmbeddedChannel(FrameDecoder.open(maxFrameSize, CLUSTER, WireFormat.DEFAULT_GROUP));
  }

  static EmbeddedChannel decoder() {
    return decoder(MAX);
  }

  static ByteBuf buf(byte[] bytes) {
    return Unpooled.copiedBuffer(bytes);
  }

  /** A big-endian int written into {@code frame} at {@code offset}. */
  static byte[] withInt(byte[] frame, int offset, int value) {
    byte[] copy = frame.clone();
    Unpooled.wrappedBuffer(copy).setInt(offset, value);
    return copy;
  }

  static byte[] withByte(byte[] frame, int offset, int value) {
    byte[] copy = frame.clone();
    copy[offset] = (byte) value;
    return copy;
  }

  static byte[] withLong(byte[] frame, int offset, long value) {
    byte[] copy = frame.clone();
    Unpooled.wrappedBuffer(copy).setLong(offset, value);
    return copy;
  }
}
