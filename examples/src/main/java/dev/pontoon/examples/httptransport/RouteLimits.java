package dev.pontoon.examples.httptransport;

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
import io.netty.util.ReferenceCountUtil;

/**
 * On a port shared by the Raft transport and another API, bounds each request's body by its
 * route before aggregation: {@code /raft/*} up to the transport's limit (a snapshot travels in
 * one request), every other path up to the other API's own, smaller limit. A body over its
 * limit, announced by {@code Content-Length} or counted as it arrives, is answered 413 and the
 * connection closed, before more of it is buffered.
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
      ReferenceCountUtil.release(msg);
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
    ReferenceCountUtil.release(msg);
    refused = true;
    FullHttpResponse response = RaftHttpHandler.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        "request body exceeds " + limit + " bytes");
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
