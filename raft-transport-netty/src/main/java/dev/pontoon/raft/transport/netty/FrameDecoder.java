package dev.pontoon.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the inbound byte stream into frames (layout in {@link FrameEncoder}), checks each
 * header and hands the body to {@link MessageCodec}. Emits {@link Hello}s and {@code RaftMessage}s
 * only, never buffers, so nothing downstream has to release anything.
 *
 * <p>The length field is checked before the frame is waited for or allocated: a value below the
 * header size or above {@code maxFrameSize} fails at once. Any failure ({@link
 * TooLongFrameException}, {@link CorruptedFrameException} and its subtypes {@link
 * UnsupportedVersionException} and {@link UnknownMessageTypeException}) is raised once, after
 * which this decoder discards every further byte: the connection is to be closed. A connection
 * that ends in the middle of a frame raises a {@link CorruptedFrameException} as well. One
 * instance per channel.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private final int maxFrameSize;
  private final long clusterId;
  private final int groupId;
  private boolean failed;

  /**
   * @param maxFrameSize the largest length field accepted (bytes after the length field)
   * @param clusterId frames of another cluster are refused, except a {@link Hello}, which the
   *     handshake checks itself so that it can be reported as a refused peer
   * @param groupId the only group id accepted
   */
  FrameDecoder(int maxFrameSize, long clusterId, int groupId) {
    this.maxFrameSize = maxFrameSize;
    this.clusterId = clusterId;
    this.groupId = groupId;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      Object message = decodeFrame(in);
      if (message != null) {
        out.add(message);
      }
    } catch (DecoderException e) {
      failed = true;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    decode(ctx, in, out);
    if (!failed && in.isReadable()) {
      int available = in.readableBytes();
      failed = true;
      in.skipBytes(available);
      throw new CorruptedFrameException("connection closed inside a frame (" + available + " bytes pending)");
    }
  }

  private Object decodeFrame(ByteBuf in) {
    if (in.readableBytes() < WireFormat.LENGTH_FIELD_SIZE) {
      return null;
    }
    int start = in.readerIndex();
    int length = in.getInt(start);
    // Fail fast on the length header, before waiting for or allocating the frame.
    if (length < 0 || length > maxFrameSize) {
      throw new TooLongFrameException("frame length " + Integer.toUnsignedString(length)
          + " exceeds the maximum of " + maxFrameSize + " bytes");
    }
    if (length < WireFormat.HEADER_SIZE) {
      throw new CorruptedFrameException("frame length " + length + " is below the header size "
          + WireFormat.HEADER_SIZE);
    }
    if (in.readableBytes() < WireFormat.LENGTH_FIELD_SIZE + length) {
      return null;
    }
    ByteBuf frame = in.slice(start + WireFormat.LENGTH_FIELD_SIZE, length);
    in.skipBytes(WireFormat.LENGTH_FIELD_SIZE + length);
    return decodeBody(frame);
  }

  private Object decodeBody(ByteBuf frame) {
    short magic = frame.readShort();
    if (magic != WireFormat.MAGIC) {
      throw new CorruptedFrameException("bad magic 0x" + Integer.toHexString(magic & 0xffff));
    }
    int version = frame.readUnsignedByte();
    if (version != WireFormat.VERSION) {
      throw new UnsupportedVersionException(version);
    }
    byte type = frame.readByte();
    long frameCluster = frame.readLong();
    int frameGroup = frame.readInt();
    if (type != WireFormat.TYPE_HELLO && frameCluster != clusterId) {
      throw new CorruptedFrameException("frame of cluster " + frameCluster + " on a connection of cluster "
          + clusterId);
    }
    if (frameGroup != groupId) {
      throw new CorruptedFrameException("unknown group " + frameGroup);
    }
    Object message = MessageCodec.decode(type, frameCluster, frame);
    if (frame.isReadable()) {
      throw new CorruptedFrameException(frame.readableBytes() + " trailing bytes after message type " + type);
    }
    return message;
  }
}
