package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.message.RaftMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Turns a {@link RaftMessage}, a {@link Hello} or a {@link HelloProof} into one frame. All integers are big-endian.
 *
 * <pre>
 *  0                   4       6     7     8                              16            20
 *  +-------------------+-------+-----+-----+------------------------------+-------------+----------
 *  | length     (u32)  | magic | ver | type| cluster id             (i64) | group (i32) | body ...
 *  +-------------------+-------+-----+-----+------------------------------+-------------+----------
 *    length = bytes after this field = 16 + body size; at most the configured max frame size
 *    magic  = 0x504E ("PN"), ver = 2, type = 1 Hello, 2 RequestVote, 3 RequestVoteResponse,
 *             4 AppendEntries, 5 AppendEntriesResponse, 6 InstallSnapshot,
 *             7 InstallSnapshotResponse, 8 TimeoutNow, 9 HelloProof
 * </pre>
 *
 * <p>Body fields per type are listed in {@code WIRE-FORMAT.md}. Large payloads are appended as
 * wrapped components without being copied (see {@link FrameOutput}). Stateless and sharable.
 */
@Sharable
final class FrameEncoder extends MessageToMessageEncoder<Object> {
  private final long clusterId;
  private final int groupId;

  FrameEncoder(long clusterId, int groupId) {
    super(Object.class);
    this.clusterId = clusterId;
    this.groupId = groupId;
  }

  @Override
  public boolean acceptOutboundMessage(Object msg) {
    return msg instanceof RaftMessage || msg instanceof Hello || msg instanceof HelloProof;
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) {
    out.add(encode(ctx.alloc(), msg, clusterId, groupId));
  }

  /** Size of the whole frame {@code msg} becomes, length field included. */
  static long frameSize(Object msg) {
    return (long) WireFormat.LENGTH_FIELD_SIZE + WireFormat.HEADER_SIZE + MessageCodec.bodySize(msg);
  }

  /** Encodes {@code msg} as one complete frame; the caller owns the returned buffer. */
  static ByteBuf encode(ByteBufAllocator alloc, Object msg, long clusterId, int groupId) {
    int estimate = (int) Math.min(frameSize(msg), 64 * 1024);
    FrameOutput output = new FrameOutput(alloc, estimate);
    try {
      output.fields()
          .writeInt(0)
          .writeShort(WireFormat.MAGIC)
          .writeByte(WireFormat.VERSION)
          .writeByte(MessageCodec.typeOf(msg))
          .writeLong(clusterId)
          .writeInt(groupId);
      MessageCodec.encode(msg, output);
    } catch (RuntimeException e) {
      output.discard();
      throw new EncoderException("cannot encode " + msg.getClass().getSimpleName(), e);
    }
    ByteBuf frame = output.finish();
    frame.setInt(frame.readerIndex(), frame.readableBytes() - WireFormat.LENGTH_FIELD_SIZE);
    return frame;
  }
}
