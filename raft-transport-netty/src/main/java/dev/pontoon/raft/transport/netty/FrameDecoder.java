package dev.pontoon.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Splits the inbound byte stream into frames (layout in {@link FrameEncoder}), checks each
 * header and hands the body to {@link MessageCodec}. Emits {@link Hello}s and {@code RaftMessage}s
 * only, never buffers, so nothing downstream has to release anything.
 *
 * <p><b>Handshake.</b> A decoder made with {@link #awaitingHello} decodes nothing but one {@link
 * Hello} until its handler calls {@link #open()}: the header of any other frame type is refused
 * with a {@link ProtocolViolationException} before its body is read, and after the Hello the
 * decoder waits. The handler decides on the Hello synchronously, inside {@code channelRead}: it
 * either calls {@link #open()}, and the frames behind the Hello are decoded, or closes the
 * connection, and every byte behind the Hello is discarded undecoded. So no Raft message of an
 * unauthenticated peer is ever decoded.
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
  private enum State {
    /** Only a Hello may come. */
    AWAITING_HELLO,
    /** A Hello was emitted and the handler has not opened the connection: it refused it. */
    HELLO_EMITTED,
    /** Every message type may come. */
    OPEN,
    /** A failure was raised or the handshake refused; every further byte is discarded. */
    DISCARDING
  }

  private final int maxFrameSize;
  private final long clusterId;
  private final int groupId;
  private final LongAdder raftMessagesDecoded;
  private State state;

  private FrameDecoder(int maxFrameSize, long clusterId, int groupId, LongAdder raftMessagesDecoded, State initial) {
    this.maxFrameSize = maxFrameSize;
    this.clusterId = clusterId;
    this.groupId = groupId;
    this.raftMessagesDecoded = raftMessagesDecoded;
    this.state = initial;
  }

  /**
   * A decoder for a new connection: one {@link Hello} first, the rest after {@link #open()}.
   *
   * @param maxFrameSize the largest length field accepted (bytes after the length field)
   * @param clusterId frames of another cluster are refused, except a {@link Hello}, which the
   *     handshake checks itself so that it can be reported as a refused peer
   * @param groupId the only group id accepted
   * @param raftMessagesDecoded counts the Raft messages (not Hellos) this decoder decodes
   */
  static FrameDecoder awaitingHello(int maxFrameSize, long clusterId, int groupId, LongAdder raftMessagesDecoded) {
    return new FrameDecoder(maxFrameSize, clusterId, groupId, raftMessagesDecoded, State.AWAITING_HELLO);
  }

  /** A decoder that accepts every message type from the start; for codec tests and tools. */
  static FrameDecoder open(int maxFrameSize, long clusterId, int groupId) {
    return new FrameDecoder(maxFrameSize, clusterId, groupId, new LongAdder(), State.OPEN);
  }

  /**
   * Called by the handler, inside its {@code channelRead} of the Hello, once it accepts the peer:
   * from now on every message type is decoded, starting with the bytes behind the Hello.
   */
  void open() {
    if (state == State.HELLO_EMITTED) {
      state = State.OPEN;
    }
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (state == State.HELLO_EMITTED) {
      // The handler saw the Hello and did not open the connection: it refused the peer.
      state = State.DISCARDING;
    }
    if (state == State.DISCARDING) {
      in.skipBytes(in.readableBytes());
      return;
    }
    try {
      Object message = decodeFrame(in);
      if (message != null) {
        out.add(message);
        if (state == State.AWAITING_HELLO) {
          state = State.HELLO_EMITTED;
        }
      }
    } catch (DecoderException e) {
      state = State.DISCARDING;
      in.skipBytes(in.readableBytes());
      throw e;
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    decode(ctx, in, out);
    if (state != State.DISCARDING && in.isReadable()) {
      int available = in.readableBytes();
      state = State.DISCARDING;
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
    if (state == State.AWAITING_HELLO && type != WireFormat.TYPE_HELLO) {
      throw new ProtocolViolationException("frame of type " + type + " before the handshake");
    }
    long frameCluster = frame.readLong();
    int frameGroup = frame.readInt();
    if (type != WireFormat.TYPE_HELLO && frameCluster != clusterId) {
      throw new CorruptedFrameException("frame of cluster " + frameCluster + " on a connection of cluster "
          + clusterId);
    }
    if (frameGroup != groupId) {
      throw new CorruptedFrameException("unknown group " + frameGroup);
    }
    if (type != WireFormat.TYPE_HELLO) {
      raftMessagesDecoded.increment();
    }
    Object message = MessageCodec.decode(type, frameCluster, frame);
    if (frame.isReadable()) {
      throw new CorruptedFrameException(frame.readableBytes() + " trailing bytes after message type " + type);
    }
    return message;
  }
}
