package dev.pontoon.examples.httptransport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Lets through only the Raft requests that carry the cluster secret
 * ({@code Authorization: Bearer <secret>}), deciding on the request's head, before anything of the
 * body is aggregated: a client without the secret can neither step the node's Raft state nor make
 * it buffer a body of up to {@link HttpTransport#MAX_REQUEST_BYTES}. A refused request is answered
 * 401 at once; the rest of it is read and dropped, never buffered, and the connection is closed
 * after its end (as {@link RouteLimits} does with a body over its limit).
 *
 * <p>Sits right after the HTTP codec. On a port shared with another API it judges only
 * {@code /raft/*} and passes every other request on untouched; on the transport's own port it
 * judges every request. One instance per connection (it remembers whether the current request was
 * refused); Netty event loop only.
 */
final class RaftAuthentication extends ChannelInboundHandlerAdapter {
  private final BearerToken secret;
  private final boolean onlyRaftPaths;
  private boolean refused;

  RaftAuthentication(BearerToken secret, boolean onlyRaftPaths) {
    this.secret = secret;
    this.onlyRaftPaths = onlyRaftPaths;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      refused = (!onlyRaftPaths || RaftHttpHandler.isRaftPath(request.uri()))
          && !secret.matches(request.headers().get(HttpHeaderNames.AUTHORIZATION));
      if (refused) {
        FullHttpResponse response = RaftHttpHandler.error(HttpResponseStatus.UNAUTHORIZED,
            "Raft requests need the cluster secret in the header Authorization: Bearer <secret> (--raft-secret-file)");
        response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"pontoon raft\"")
            .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(response);
      }
    }
    if (refused) {
      RouteLimits.drop(ctx, msg);
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
