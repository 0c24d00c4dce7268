package dev.pontoon.examples.httptransport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * On a port shared by the Raft transport and another API, bounds each request's body by its
 * route before aggregation: {@code /raft/*} up to the transport's limit (a piece of a
 * snapshot, or an append, travels in one request), every other path up to the other API's own, smaller limit. A body over its
 * limit, announced by {@code Content-Length} or counted as it arrives, is answered 413 at once;
 * the rest of it is read and dropped, never buffered, and the connection is closed after its
 * end (closing before would reset a client still sending, which would then miss the answer).
 *
 * <p>One instance per connection (it keeps the current request's count); Netty event loop only.
 */
final class RouteLimits extends ChannelInboundHandlerAdapter {
  private final long raftMaxBytes;
  private final long otherMaxBytes;
  private long limit;
  private long seen;
  private boolean refused;

  RouteLimits(long raftMaxBytes, long otherMaxBytes) {
    this.raftMaxBytes = raftMaxBytes;
    this.otherMaxBytes = otherMaxBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      refused = false;
      seen = 0;
      limit = RaftHttpHandler.isRaftPath(request.uri()) ? raftMaxBytes : otherMaxBytes;
      if (HttpUtil.getContentLength(request, -1L) > limit) {
        refuse(ctx, msg);
        return;
      }
    }
    if (refused) {
      drop(ctx, msg);
      return;
    }
    if (msg instanceof HttpContent content) {
      seen += content.content().readableBytes();
      if (seen > limit) {
        refuse(ctx, msg);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  private void refuse(ChannelHandlerContext ctx, Object msg) {
    refused = true;
    FullHttpResponse response = RaftHttpHandler.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request body exceeds " + limit + " bytes");
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response);
    drop(ctx, msg);
  }

  /** Drops a part of a refused request; closes the connection after its last part. */
  static void drop(ChannelHandlerContext ctx, Object msg) {
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg);
    if (last) {
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }
}
