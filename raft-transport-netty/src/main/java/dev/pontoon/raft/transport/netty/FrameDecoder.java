package dev.pontoon.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits the inbound byte stream into frames (layout in {@link FrameEncoder}), checks each
 * header and hands the body to {@link MessageCodec}. Emits {@link Hello}s and {@code RaftMessage}s
 * only, never buffers, so nothing downstream has to release anything.
 *
 * <p><b>Handshake.</b> A decoder made with {@link #awaitingHello} decodes one handshake frame at
 * a time, of at most {@link WireFormat#MAX_HANDSHAKE_FRAME_SIZE} bytes: first a {@link Hello},
 * then whatever its handler {@linkplain #expect expects} next, until the handler calls {@link
 * #open()}. The header of any other frame type is refused with a {@link
 * ProtocolViolationException} before its body is read, and after each handshake frame the decoder
 * waits for the handler's verdict, given synchronously inside {@code channelRead}: {@link
 * #expect}, {@link #open()} (the frames behind are decoded at once), or closing the connection
 * (every byte behind is discarded undecoded). So no Raft message of an unauthenticated peer is
 * ever decoded.
 *
 * <p><b>Limits.</b> The length field is checked before the frame is waited for or allocated: a
 * value below the header size or above the limit (the handshake limit, then {@code maxFrameSize})
 * fails at once. A frame after the handshake that must be waited for reserves its length from the
 * transport's {@link InboundBudget}; if it does not fit, the connection stops reading until another
 * frame releases its bytes, so memory is bounded by the budget (plus one read per connection)
 * instead of by the number of connections. Handshake frames reserve nothing, so that a peer that
 * never completes its handshake holds none of the budget; they are bounded by the handshake limit
 * and the cap on unauthenticated connections.
 *
 * <p><b>Failures.</b> Any failure ({@link TooLongFrameException}, {@link CorruptedFrameException}
 * and its subtypes {@link UnsupportedVersionException} and {@link UnknownMessageTypeException},
 * {@link ProtocolViolationException}, or any other exception out of decoding) is raised once,
 * after which this decoder discards every further byte: the connection is to be closed. The same
 * holds once a handler condemns the connection for a frame it was given ({@link #discard()}, called
 * by {@link ConnectionErrors} whenever it closes a connection): neither the frames behind it in the
 * same read nor those the close finds buffered are decoded, so nothing more the peer sent is
 * delivered. A connection that ends in the middle of a frame raises a {@link
 * CorruptedFrameException} as well. One instance per channel; runs on its event loop.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  private enum State {
    /** Only the expected handshake frame may come. */
    HANDSHAKE,
    /** A handshake frame was emitted; unless the handler expects another or opens, it refused it. */
    HANDSHAKE_EMITTED,
    /** Every message type may come. */
    OPEN,
    /** A failure was raised or the handshake refused; every further byte is discarded. */
    DISCARDING
  }

  private final int maxFrameSize;
  private final long clusterId;
  private final int groupId;
  private final InboundBudget budget;
  private final TransportCounters counters;
  private State state;
  /** The handshake frame type that may come next, in {@link State#HANDSHAKE}. */
  private byte expectedType = WireFormat.TYPE_HELLO;
  /** Bytes reserved from the budget for the frame in progress; 0 when none. */
  private long reservedForFrame;
  /** Whether reading is stopped until the budget has room. */
  private boolean paused;

  private FrameDecoder(int maxFrameSize, long clusterId, int groupId, InboundBudget budget,
      TransportCounters counters, State initial) {
    this.maxFrameSize = maxFrameSize;
    this.clusterId = clusterId;
    this.groupId = groupId;
    this.budget = budget;
    this.counters = counters;
    this.state = initial;
  }

  /**
   * A decoder for a new connection: one {@link Hello} first, the rest after {@link #open()}.
   *
   * @param maxFrameSize the largest length field accepted after the handshake (bytes after the
   *     length field)
   * @param clusterId frames of another cluster are refused, except a {@link Hello}, which the
   *     handshake checks itself so that it can be reported as a refused peer
   * @param groupId the only group id accepted
   * @param budget the inbound bytes shared by all connections of the transport
   * @param counters where Raft messages decoded and read pauses are counted
   */
  static FrameDecoder awaitingHello(int maxFrameSize, long clusterId, int groupId, InboundBudget budget,
      TransportCounters counters) {
    return new FrameDecoder(maxFrameSize, clusterId, groupId, budget, counters, State.HANDSHAKE);
  }

  /** A decoder that accepts every message type from the start, with its own budget; for codec tests and tools. */
  static FrameDecoder open(int maxFrameSize, long clusterId, int groupId) {
    return open(maxFrameSize, clusterId, groupId, new InboundBudget(maxFrameSize), new TransportCounters());
  }

  /** A decoder that accepts every message type from the start. */
  static FrameDecoder open(int maxFrameSize, long clusterId, int groupId, InboundBudget budget,
      TransportCounters counters) {
    return new FrameDecoder(maxFrameSize, clusterId, groupId, budget, counters, State.OPEN);
  }

  /**
   * Called by the handler, inside its {@code channelRead} of the Hello, once it accepts the peer:
   * from now on every message type is decoded, starting with the bytes behind the Hello.
   */
  void open() {
    if (state == State.HANDSHAKE_EMITTED) {
      state = State.OPEN;
    }
  }

  /**
   * Called by the handler, inside its {@code channelRead} of a handshake frame, when the
   * handshake goes on: the next frame must be of {@code type}, and nothing else is decoded.
   */
  void expect(byte type) {
    if (state == State.HANDSHAKE_EMITTED) {
      state = State.HANDSHAKE;
      expectedType = type;
    }
  }

  /**
   * Called on the event loop when the connection is closed for what the peer sent, typically by a
   * handler inside its {@code channelRead} of a frame: every byte behind that frame is discarded
   * undecoded (ByteToMessageDecoder fires each frame before decoding the next), and the budget the
   * frame in progress held is released. The bytes themselves are freed with the input buffer.
   */
  void discard() {
    state = State.DISCARDING;
    releaseFrame();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (state == State.HANDSHAKE_EMITTED) {
      // The handler saw the handshake frame and neither went on nor opened: it refused the peer.
      state = State.DISCARDING;
    }
    if (state == State.DISCARDING || paused) {
      if (state == State.DISCARDING) {
        in.skipBytes(in.readableBytes());
      }
      return;
    }
    try {
      Object message = decodeFrame(ctx, in);
      if (message != null) {
        out.add(message);
        if (state == State.HANDSHAKE) {
          state = State.HANDSHAKE_EMITTED;
        }
      }
    } catch (RuntimeException e) {
      // Not only DecoderExceptions: ByteToMessageDecoder would wrap any other one and leave the
      // frames behind it buffered, to be decoded and delivered when the connection closes.
      state = State.DISCARDING;
      in.skipBytes(in.readableBytes());
      releaseFrame();
      throw e;
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    decode(ctx, in, out);
    releaseFrame();
    if (state == State.HANDSHAKE_EMITTED) {
      state = State.DISCARDING;
    }
    if (state != State.DISCARDING && in.isReadable()) {
      int available = in.readableBytes();
      state = State.DISCARDING;
      in.skipBytes(available);
      throw new CorruptedFrameException("connection closed inside a frame (" + available + " bytes pending)");
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
    if (paused) {
      // The superclass asks for another read when a read produced no message and auto-read is
      // off; while the budget is exhausted that would defeat the back-pressure.
      discardSomeReadBytes();
      ctx.fireChannelReadComplete();
      return;
    }
    super.channelReadComplete(ctx);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    releaseFrame();
  }

  private Object decodeFrame(ChannelHandlerContext ctx, ByteBuf in) {
    if (in.readableBytes() < WireFormat.LENGTH_FIELD_SIZE) {
      return null;
    }
    int start = in.readerIndex();
    int length = in.getInt(start);
    // Fail fast on the length header, before waiting for or allocating the frame.
    boolean handshake = state == State.HANDSHAKE;
    int limit = handshake ? Math.min(maxFrameSize, WireFormat.MAX_HANDSHAKE_FRAME_SIZE) : maxFrameSize;
    if (length < 0 || length > limit) {
      throw new TooLongFrameException("frame length " + Integer.toUnsignedString(length)
          + " exceeds the maximum of " + limit + " bytes" + (handshake ? " before the handshake" : ""));
    }
    if (length < WireFormat.HEADER_SIZE) {
      throw new CorruptedFrameException("frame length " + length + " is below the header size "
          + WireFormat.HEADER_SIZE);
    }
    if (in.readableBytes() < WireFormat.LENGTH_FIELD_SIZE + length) {
      // Handshake frames reserve nothing: a peer that never completes its Hello would otherwise hold
      // budget that members' frames need (with a budget of maxFrameSize, one such peer stalls every
      // largest frame for good). Their memory is bounded apart: the handshake frame limit times
      // the unauthenticated connections allowed.
      if (reservedForFrame == 0 && !handshake) {
        reserve(ctx, length);
      }
      return null;
    }
    ByteBuf frame = in.slice(start + WireFormat.LENGTH_FIELD_SIZE, length);
    in.skipBytes(WireFormat.LENGTH_FIELD_SIZE + length);
    releaseFrame();
    return decodeBody(frame);
  }

  /** Reserves the frame's bytes, or stops reading until the budget has room. */
  private void reserve(ChannelHandlerContext ctx, int length) {
    if (budget.tryReserve(length)) {
      reservedForFrame = length;
      return;
    }
    paused = true;
    counters.inboundReadPauses.increment();
    ctx.channel().config().setAutoRead(false);
    budget.await(length, () -> ctx.executor().execute(() -> resume(ctx)));
  }

  /**
   * On the event loop, after some budget was released: reading resumes, and the bytes already
   * received are decoded again (the rest of the frame may have arrived while paused), which
   * retries the reservation.
   */
  private void resume(ChannelHandlerContext ctx) {
    if (!paused || ctx.isRemoved()) {
      return;
    }
    paused = false;
    ctx.channel().config().setAutoRead(true);
    try {
      channelRead(ctx, Unpooled.EMPTY_BUFFER);
    } catch (Exception e) {
      ctx.fireExceptionCaught(e);
    }
  }

  private void releaseFrame() {
    if (reservedForFrame > 0) {
      long bytes = reservedForFrame;
      reservedForFrame = 0;
      budget.release(bytes);
    }
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
    if (state == State.HANDSHAKE && type != expectedType) {
      throw new ProtocolViolationException("frame of type " + type + " during the handshake, where type "
          + expectedType + " was expected");
    }
    if (type < WireFormat.TYPE_HELLO || type > WireFormat.TYPE_HELLO_PROOF) {
      // Before any body field is read: a later version's message need not start with from, to and
      // term, and reading them first reported its type as a "truncated body" instead.
      throw new UnknownMessageTypeException(type);
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
    if (type != WireFormat.TYPE_HELLO && type != WireFormat.TYPE_HELLO_PROOF) {
      counters.raftMessagesDecoded.increment();
    }
    Object message = MessageCodec.decode(type, frameCluster, frame);
    if (frame.isReadable()) {
      throw new CorruptedFrameException(frame.readableBytes() + " trailing bytes after message type " + type);
    }
    return message;
  }
}
