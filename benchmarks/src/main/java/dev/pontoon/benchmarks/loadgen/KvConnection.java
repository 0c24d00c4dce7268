package dev.pontoon.benchmarks.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One load client's HTTP/1.1 keep-alive connection to one node, carrying one exchange at a time.
 * A connection that failed, timed out or was closed by the server is not used again: the client
 * opens a new one.
 *
 * <p><b>Threading.</b> Confined to the channel's event loop: the constructor, {@link #exchange},
 * {@link #isUsable} and {@link #close} are called there, and the exchange's future completes there.
 */
final class KvConnection {

  /** Largest answer read; the KV API's answers to a PUT are a few hundred bytes. */
  static final int MAX_ANSWER_BYTES = 1 << 20;

  /** The parts of an answer a write needs: its status and, for a redirect, where to. */
  record Answer(int status, String location) {}

  private final String origin;
  private final ChannelFuture connected;
  private CompletableFuture<Answer> pending;
  private ScheduledFuture<?> timer;
  private boolean broken;

  /** Starts connecting to {@code host:port}; {@code origin} is the {@code HOST:PORT} it stands for. */
  KvConnection(Bootstrap bootstrap, String origin, String host, int port) {
    this.origin = origin;
    this.connected = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new HttpClientCodec()).addLast(new HttpObjectAggregator(MAX_ANSWER_BYTES))
            .addLast(new AnswerHandler());
      }
    }).connect(host, port);
  }

  String origin() {
    return origin;
  }

  /** Whether another exchange may be sent: nothing failed, and the connection is up or still coming up. */
  boolean isUsable() {
    return !broken && pending == null && (!connected.isDone() || connected.channel().isActive());
  }

  /**
   * Sends {@code request} once connected and completes with its answer, or exceptionally when the
   * connection fails or closes first or no answer comes within {@code timeoutNanos}.
   */
  CompletableFuture<Answer> exchange(FullHttpRequest request, long timeoutNanos) {
    if (pending != null) {
      ReferenceCountUtil.release(request);
      throw new IllegalStateException("an exchange is already under way on this connection");
    }
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    pending = answer;
    Channel channel = connected.channel();
    timer = channel.eventLoop().schedule(() -> fail(new IOException("no answer within "
        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms")), timeoutNanos, TimeUnit.NANOSECONDS);
    connected.addListener(done -> {
      if (!done.isSuccess()) {
        ReferenceCountUtil.release(request);
        fail(done.cause());
        return;
      }
      channel.writeAndFlush(request).addListener(written -> {
        if (!written.isSuccess()) {
          fail(written.cause());
        }
      });
    });
    return answer;
  }

  /** Closes the connection; an exchange under way fails. */
  void close() {
    fail(new IOException("connection closed"));
  }

  private void fail(Throwable cause) {
    broken = true;
    finish(null, cause);
    connected.channel().close();
  }

  private void finish(Answer answer, Throwable failure) {
    CompletableFuture<Answer> exchange = pending;
    if (exchange == null) {
      return;
    }
    pending = null;
    timer.cancel(false);
    if (failure == null) {
      exchange.complete(answer);
    } else {
      exchange.completeExceptionally(failure);
    }
  }

  private final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      if (response.decoderResult().isFailure()) {
        fail(new IOException("malformed answer: " + response.decoderResult().cause().getMessage()));
        return;
      }
      if (pending == null) {
        fail(new IOException("an answer to no request"));
        return;
      }
      if (!HttpUtil.isKeepAlive(response)) {
        broken = true; // the server closes after this answer; the next write opens another connection
        ctx.close();
      }
      finish(new Answer(response.status().code(), response.headers().get(HttpHeaderNames.LOCATION)), null);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      broken = true;
      finish(null, new IOException("connection closed before the answer"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause);
    }
  }
}
