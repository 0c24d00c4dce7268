package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.TimeoutNow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** The decoder of a new connection decodes one Hello, then nothing until the handler accepts it. */
class HandshakeDecodingTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final byte[] HELLO = Frames.encode(new Hello(Frames.CLUSTER, N1));
  private static final byte[] TIMEOUT_NOW = Frames.encode(new TimeoutNow(N1, N2, 3));

  /** Accepts or refuses the first Hello, as the transport's handshake handlers do, and records what it sees. */
  private static final class Handshake extends ChannelInboundHandlerAdapter {
    final boolean accept;
    final List<Object> seen = new ArrayList<>();

    Handshake(boolean accept) {
      this.accept = accept;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      seen.add(msg);
      if (msg instanceof Hello) {
        if (accept) {
          ctx.pipeline().get(FrameDecoder.class).open();
        } else {
          ctx.close();
        }
      }
    }
  }

  private final TransportCounters counters = new TransportCounters();
  private final LongAdder decoded = counters.raftMessagesDecoded;

  private EmbeddedChannel channel(Handshake handshake) {
    return new EmbeddedChannel(FrameDecoder.awaitingHello(Frames.MAX, Frames.CLUSTER, WireFormat.DEFAULT_GROUP,
        new InboundBudget(Frames.MAX), counters), handshake);
  }

  @Test
  void handshakeFrameAboveTheHandshakeLimitIsRefusedFromItsLengthHeader() {
    EmbeddedChannel channel = channel(new Handshake(true));
    ByteBuf header = Unpooled.buffer().writeInt(WireFormat.MAX_HANDSHAKE_FRAME_SIZE + 1);
    TooLongFrameException e = assertThrows(TooLongFrameException.class, () -> channel.writeInbound(header));
    assertEquals("frame length 4097 exceeds the maximum of 4096 bytes before the handshake", e.getMessage());
    assertEquals(0, header.refCnt());
  }

  @Test
  void afterTheHandshakeFramesUpToTheConfiguredMaximumAreAccepted() {
    Handshake handshake = new Handshake(true);
    EmbeddedChannel channel = channel(handshake);
    channel.writeInbound(Frames.buf(HELLO));
    ByteBuf header = Unpooled.buffer().writeInt(WireFormat.MAX_HANDSHAKE_FRAME_SIZE + 1);
    channel.writeInbound(header);
    assertEquals(1, handshake.seen.size(), "waiting for the rest of the frame, not refused");
    assertTrue(channel.isOpen());
    assertThrows(io.netty.handler.codec.CorruptedFrameException.class, channel::finish, "closed inside the frame");
  }

  @Test
  void raftMessageBeforeTheHelloIsRefusedFromItsHeaderAlone() {
    Handshake handshake = new Handshake(true);
    EmbeddedChannel channel = channel(handshake);
    ByteBuf input = Frames.buf(TIMEOUT_NOW);
    assertThrows(ProtocolViolationException.class, () -> channel.writeInbound(input));
    assertTrue(handshake.seen.isEmpty());
    assertEquals(0, decoded.sum());
    assertEquals(0, input.refCnt());
  }

  @Test
  void framesBehindARefusedHelloAreDiscardedUndecoded() {
    Handshake handshake = new Handshake(false);
    EmbeddedChannel channel = channel(handshake);
    ByteBuf input = Unpooled.wrappedBuffer(HELLO, TIMEOUT_NOW, TIMEOUT_NOW);
    channel.writeInbound(input);
    assertEquals(List.of(new Hello(Frames.CLUSTER, N1)), handshake.seen);
    assertEquals(0, decoded.sum());
    assertEquals(0, input.refCnt());
    assertFalse(channel.isOpen());
  }

  @Test
  void framesBehindAnAcceptedHelloAreDecodedInTheSameRead() {
    Handshake handshake = new Handshake(true);
    EmbeddedChannel channel = channel(handshake);
    channel.writeInbound(Unpooled.wrappedBuffer(HELLO, TIMEOUT_NOW, TIMEOUT_NOW));
    assertEquals(List.of(new Hello(Frames.CLUSTER, N1), new TimeoutNow(N1, N2, 3), new TimeoutNow(N1, N2, 3)),
        handshake.seen);
    assertEquals(2, decoded.sum());
    assertFalse(channel.finish());
  }

  @Test
  void secondHelloAfterTheFirstIsAcceptedIsHandedToTheHandler() {
    Handshake handshake = new Handshake(true);
    EmbeddedChannel channel = channel(handshake);
    channel.writeInbound(Unpooled.wrappedBuffer(HELLO, HELLO));
    assertEquals(2, handshake.seen.size(), "the handler reports it as a protocol violation");
  }
}
