package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.TimeoutNow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.WrappedByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  /** AppendEntries from n1 to n2 with one 3-byte entry; field offsets below are for this frame. */
  private static final AppendEntries APPEND = new AppendEntries(N1, N2, 5, 10, 4,
      List.of(LogEntry.command(11, 5, Bytes.ofUtf8("abc"))), 9, 1);
  private static final byte[] FRAME = Frames.encode(APPEND);
  private static final int VERSION_AT = 6;
  private static final int TYPE_AT = 7;
  private static final int CLUSTER_AT = 8;
  private static final int GROUP_AT = 16;
  private static final int TERM_AT = 26;
  private static final int PREV_LOG_INDEX_AT = 34;
  private static final int COUNT_AT = 66;
  private static final int ENTRY_KIND_AT = 78;
  private static final int PAYLOAD_LENGTH_AT = 79;

  @Test
  void frameSplitInTwoIsDecodedOnceComplete() {
    EmbeddedChannel channel = Frames.decoder();
    ByteBuf first = Unpooled.copiedBuffer(FRAME, 0, 30);
    ByteBuf second = Unpooled.copiedBuffer(FRAME, 30, FRAME.length - 30);
    assertFalse(channel.writeInbound(first));
    assertNull(channel.readInbound());
    assertTrue(channel.writeInbound(second));
    assertEquals(APPEND, channel.readInbound());
    assertEquals(0, first.refCnt());
    assertEquals(0, second.refCnt());
    assertFalse(channel.finish());
  }

  @Test
  void frameFedOneByteAtATimeIsDecoded() {
    EmbeddedChannel channel = Frames.decoder();
    for (byte b : FRAME) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertEquals(APPEND, channel.readInbound());
    assertFalse(channel.finish());
  }

  @Test
  void manyFramesInOneBufferAreAllDecoded() {
    byte[] vote = Frames.encode(new RequestVote(N1, N2, 2, 3, 1, false, false));
    ByteBuf both = Unpooled.wrappedBuffer(FRAME, vote, FRAME);
    EmbeddedChannel channel = Frames.decoder();
    channel.writeInbound(both);
    assertEquals(APPEND, channel.readInbound());
    assertInstanceOf(RequestVote.class, channel.readInbound());
    assertEquals(APPEND, channel.readInbound());
    assertEquals(0, both.refCnt());
  }

  @Test
  void oversizeFrameIsRefusedFromItsLengthHeaderAloneThenAGoodFrameDecodesOnANewChannel() {
    EmbeddedChannel channel = Frames.decoder(64);
    ByteBuf header = Unpooled.buffer().writeInt(65);
    assertThrows(TooLongFrameException.class, () -> channel.writeInbound(header));
    assertEquals(0, header.refCnt());
    // Later bytes on the failed connection are discarded, not decoded.
    channel.writeInbound(Frames.buf(Frames.encode(new TimeoutNow(N1, N2, 1))));
    assertNull(channel.readInbound());

    EmbeddedChannel fresh = Frames.decoder(64);
    fresh.writeInbound(Frames.buf(Frames.encode(new TimeoutNow(N1, N2, 1))));
    assertEquals(new TimeoutNow(N1, N2, 1), fresh.readInbound());
  }

  @Test
  void negativeLengthIsRefused() {
    assertRefused(TooLongFrameException.class, Frames.withInt(FRAME, 0, -1));
  }

  @Test
  void lengthBelowTheHeaderSizeIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withInt(FRAME, 0, WireFormat.HEADER_SIZE - 1));
  }

  @Test
  void badMagicIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withByte(FRAME, 4, 'X'));
  }

  @Test
  void unknownVersionIsRefused() {
    assertRefused(UnsupportedVersionException.class, Frames.withByte(FRAME, VERSION_AT, 1));
    assertRefused(UnsupportedVersionException.class, Frames.withByte(FRAME, VERSION_AT, 4));
  }

  /** Version 2 sent InstallSnapshot's configuration as two id lists; version 3 cannot read it. */
  @Test
  void versionTwoFramesAreRefusedNamingBothVersions() {
    EmbeddedChannel channel = Frames.decoder();
    DecoderException e = assertThrows(DecoderException.class,
        () -> channel.writeInbound(Frames.buf(Frames.withByte(FRAME, VERSION_AT, 2))));
    assertInstanceOf(UnsupportedVersionException.class, e);
    assertTrue(e.getMessage().contains("unsupported protocol version 2 (this node speaks 3)"), e.getMessage());
    channel.finishAndReleaseAll();
  }

  @Test
  void unknownMessageTypeIsRefused() {
    assertRefused(UnknownMessageTypeException.class, Frames.withByte(FRAME, TYPE_AT, 99));
  }

  /**
   * A type this version does not know is refused as such, whatever its body: a later version's
   * message need not start with from, to and term, and an empty body is not a "truncated" one.
   */
  @Test
  void frameOfAnUnknownTypeIsRefusedAsUnknownWhateverItsBody() {
    byte[] headerOnly = Frames.withInt(java.util.Arrays.copyOf(FRAME, 4 + WireFormat.HEADER_SIZE), 0,
        WireFormat.HEADER_SIZE);
    assertRefused(UnknownMessageTypeException.class, Frames.withByte(headerOnly, TYPE_AT, 10));
    byte[] threeBytes = Frames.withInt(java.util.Arrays.copyOf(FRAME, 4 + WireFormat.HEADER_SIZE + 3), 0,
        WireFormat.HEADER_SIZE + 3);
    assertRefused(UnknownMessageTypeException.class, Frames.withByte(threeBytes, TYPE_AT, 10));
  }

  @Test
  void frameOfAnotherClusterIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withLong(FRAME, CLUSTER_AT, 43));
  }

  @Test
  void frameOfAnUnknownGroupIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withInt(FRAME, GROUP_AT, 1));
  }

  @Test
  void trailingBytesAfterTheMessageAreRefused() {
    byte[] longer = java.util.Arrays.copyOf(FRAME, FRAME.length + 1);
    assertRefused(CorruptedFrameException.class, Frames.withInt(longer, 0, FRAME.length + 1 - 4));
  }

  @Test
  void bodyShorterThanItsFieldsIsRefused() {
    byte[] shorter = java.util.Arrays.copyOf(FRAME, FRAME.length - 1);
    assertRefused(CorruptedFrameException.class, Frames.withInt(shorter, 0, FRAME.length - 1 - 4));
  }

  @Test
  void negativeTermIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withLong(FRAME, TERM_AT, -1));
  }

  @Test
  void negativeEntryCountIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withInt(FRAME, COUNT_AT, -1));
  }

  @Test
  void entryCountBeyondTheRemainingBytesIsRefusedBeforeAllocating() {
    assertRefused(CorruptedFrameException.class, Frames.withInt(FRAME, COUNT_AT, Integer.MAX_VALUE));
  }

  @Test
  void negativePayloadLengthIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withInt(FRAME, PAYLOAD_LENGTH_AT, -5));
  }

  @Test
  void payloadLengthBeyondTheRemainingBytesIsRefusedBeforeAllocating() {
    assertRefused(CorruptedFrameException.class, Frames.withInt(FRAME, PAYLOAD_LENGTH_AT, Integer.MAX_VALUE));
  }

  @Test
  void unknownEntryKindIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withByte(FRAME, ENTRY_KIND_AT, 7));
  }

  @Test
  void entryKindZeroIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withByte(FRAME, ENTRY_KIND_AT, 0));
  }

  @Test
  void entryIndexOverflowIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withLong(FRAME, PREV_LOG_INDEX_AT, Long.MAX_VALUE));
  }

  @Test
  void unknownFlagBitsAreRefused() {
    byte[] vote = Frames.encode(new RequestVote(N1, N2, 2, 3, 1, false, false));
    assertRefused(CorruptedFrameException.class, Frames.withByte(vote, vote.length - 1, 4));
  }

  @Test
  void emptyNodeIdIsRefused() {
    assertRefused(CorruptedFrameException.class, Frames.withByte(FRAME, 20, 0));
  }

  @Test
  void connectionClosedInsideAFrameIsReported() {
    EmbeddedChannel channel = Frames.decoder();
    channel.writeInbound(Unpooled.copiedBuffer(FRAME, 0, FRAME.length - 1));
    DecoderException e = assertThrows(DecoderException.class, channel::finish);
    assertTrue(e.getMessage().contains("inside a frame"), e.getMessage());
  }

  @Test
  void framesBeforeACorruptFrameAreDelivered() {
    byte[] bad = Frames.withByte(FRAME, TYPE_AT, 99);
    ByteBuf buf = Unpooled.wrappedBuffer(FRAME, FRAME, bad, FRAME);
    EmbeddedChannel channel = Frames.decoder();
    assertThrows(UnknownMessageTypeException.class, () -> channel.writeInbound(buf));
    assertEquals(APPEND, channel.readInbound());
    assertEquals(APPEND, channel.readInbound());
    assertNull(channel.readInbound());
    assertEquals(0, buf.refCnt());
  }

  /**
   * Once a handler condemns the connection for what the peer sent (through ConnectionErrors, as
   * the dispatcher does on a protocol violation), nothing behind that frame is decoded: neither
   * the rest of the same read nor what the close finds buffered. Every buffer is released.
   */
  @Test
  void framesBehindAFrameThatCondemnedTheConnectionAreDiscarded() {
    List<Object> seen = new ArrayList<>();
    ConnectionErrors errors = ConnectionErrors.outbound(new TransportCounters(), "n2");
    EmbeddedChannel channel = new EmbeddedChannel(FrameDecoder.open(Frames.MAX, Frames.CLUSTER, WireFormat.DEFAULT_GROUP),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg);
            errors.violation(ctx, "the test condemns the connection on its first frame");
          }
        });
    ByteBuf read = Unpooled.wrappedBuffer(FRAME, FRAME, java.util.Arrays.copyOf(FRAME, 10));

    // Not writeInbound, which fails on a channel that closed while reading.
    channel.pipeline().fireChannelRead(read);
    channel.runPendingTasks();

    assertEquals(List.of(APPEND), seen, "only the frame that condemned the connection");
    assertFalse(channel.isOpen());
    assertEquals(0, read.refCnt(), "input released");
    assertFalse(channel.finish());
  }

  /**
   * An exception other than a DecoderException out of decoding (here a buffer that fails a read,
   * standing for any unexpected fault) fails the connection as a DecoderException does: the frames
   * behind are not decoded, not even by the close, which decodes what is left of the input; the
   * buffer is released.
   */
  @Test
  void framesBehindAnUnexpectedExceptionOutOfDecodingAreDiscarded() {
    byte[] three = new byte[3 * FRAME.length];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(FRAME, 0, three, i * FRAME.length, FRAME.length);
    }
    ByteBuf input = new WrappedByteBuf(Unpooled.wrappedBuffer(three)) {
      @Override
      public int getInt(int index) {
        if (index == FRAME.length) {
          throw new IllegalStateException("the second frame's length cannot be read");
        }
        return super.getInt(index);
      }
    };
    EmbeddedChannel channel = new EmbeddedChannel(FrameDecoder.open(Frames.MAX, Frames.CLUSTER,
        WireFormat.DEFAULT_GROUP, new InboundBudget(Frames.MAX), new TransportCounters()));

    DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(input));

    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals(APPEND, channel.readInbound(), "the frame before the failure was delivered");
    assertFalse(channel.finish(), "nothing decoded behind the failure");
    assertEquals(0, input.refCnt(), "input released");
  }

  /**
   * A reader waiting for the budget whose wake-up throws (its event loop refuses tasks, as while a
   * transport closes) is not the releasing connection's fault: that connection goes on decoding,
   * and the budget is released.
   */
  @Test
  void aWaitingReaderWhoseWakeUpThrowsDoesNotFailTheConnectionThatReleased() {
    InboundBudget budget = new InboundBudget(Frames.MAX);
    budget.await(Frames.MAX + 1, () -> {
      throw new RejectedExecutionException("event loop shut down");
    });
    EmbeddedChannel channel = new EmbeddedChannel(
        FrameDecoder.open(Frames.MAX, Frames.CLUSTER, WireFormat.DEFAULT_GROUP, budget, new TransportCounters()));
    ByteBuf start = Unpooled.copiedBuffer(FRAME, 0, 10);
    ByteBuf rest = Unpooled.copiedBuffer(java.util.Arrays.copyOfRange(FRAME, 10, FRAME.length), FRAME);
    channel.writeInbound(start);
    assertEquals(FRAME.length - 4, budget.reserved(), "the incomplete frame reserved its length");

    channel.writeInbound(rest);

    assertEquals(APPEND, channel.readInbound());
    assertEquals(APPEND, channel.readInbound(), "the frame behind the release is decoded too");
    assertFalse(channel.finish());
    assertEquals(0, start.refCnt(), "input released");
    assertEquals(0, rest.refCnt(), "input released");
    assertEquals(0, budget.reserved());
  }

  private static void assertRefused(Class<? extends DecoderException> expected, byte[] frame) {
    EmbeddedChannel channel = Frames.decoder();
    ByteBuf buf = Frames.buf(frame);
    DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(buf));
    assertInstanceOf(expected, e, e.toString());
    assertNull(channel.readInbound());
    assertEquals(0, buf.refCnt(), "input released");
    channel.finishAndReleaseAll();
  }
}
