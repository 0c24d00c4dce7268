package dev.pontoon.examples.httptransport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.transport.InboundHandler;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of the HTTP transport: decodes a POSTed Raft request, hands it to the node,
 * and answers the HTTP request when the node emits the matching response (see
 * {@link PendingAnswers}), or 503 when it does not within the answer timeout. TimeoutNow is
 * one-way and answered at once. Bad requests get 400/404/405 with {@code {"error":"…"}}; a
 * request from a sender that is neither a member's id nor a member's address gets 403. The body is
 * decoded from its bytes by {@link RequestDecoder}, which checks the sender before it builds any
 * entry, so that a refused request costs next to nothing beyond its aggregated body.
 *
 * <p>On its own server it answers every request; on a port shared with another API it takes only
 * {@code /raft/*} and passes every other request on down the pipeline.
 *
 * <p>Shared by all connections, on Netty threads; never blocks.
 */
@ChannelHandler.Sharable
final class RaftHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(RaftHttpHandler.class);
  private final NodeId self;
  private final Function<String, NodeId> sender;
  private final Supplier<InboundHandler> inbound;
  private final PendingAnswers pending;
  private final Duration answerTimeout;
  private final boolean onlyRaftPaths;

  /** A sender that is neither a member's id nor a member's address; its message names it. */
  static final class UnknownSender extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownSender(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @param sender the node id of a request's {@code leader-id} or {@code candidate-id} (a member's
   *     id or address); throws {@link UnknownSender} for anyone else
   * @param onlyRaftPaths take only {@code /raft/*} requests and pass the others on (a shared port)
   */
  RaftHttpHandler(NodeId self, Function<String, NodeId> sender, Supplier<InboundHandler> inbound,
      PendingAnswers pending, Duration answerTimeout, boolean onlyRaftPaths) {
    this.self = self;
    this.sender = sender;
    this.inbound = inbound;
    this.pending = pending;
    this.answerTimeout = answerTimeout;
    this.onlyRaftPaths = onlyRaftPaths;
  }

  /** Whether {@code uri} is one of this transport's paths, {@code /raft/*}. */
  static boolean isRaftPath(String uri) {
    return uri.startsWith("/raft/");
  }

  @Override
  public boolean acceptInboundMessage(Object msg) throws Exception {
    return super.acceptInboundMessage(msg) && (!onlyRaftPaths || isRaftPath(((FullHttpRequest) msg).uri()));
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
    if (request.decoderResult().isFailure()) {
      send(ctx, error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"), false);
      return;
    }
    String path = request.uri();
    if (!Map.of("/raft/append-entries", 1, "/raft/request-vote", 1, "/raft/timeout-now", 1,
        "/raft/install-snapshot", 1).containsKey(path)) {
      send(ctx, error(HttpResponseStatus.NOT_FOUND, "unknown path " + path), keepAlive);
      return;
    }
    if (!request.method().equals(HttpMethod.POST)) {
      FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST");
      response.headers().set(HttpHeaderNames.ALLOW, "POST");
      send(ctx, response, keepAlive);
      return;
    }
    RaftMessage message;
    try {
      message = RequestDecoder.decode(path, RequestDecoder.Source.of(request.content()), self, sender);
    } catch (IOException e) {
      String detail = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
      send(ctx, error(HttpResponseStatus.BAD_REQUEST, "malformed JSON: " + detail), keepAlive);
      return;
    } catch (IllegalArgumentException e) {
      send(ctx, error(HttpResponseStatus.BAD_REQUEST, String.valueOf(e.getMessage())), keepAlive);
      return;
    } catch (UnknownSender e) {
      send(ctx, error(HttpResponseStatus.FORBIDDEN, e.getMessage()), keepAlive);
      return;
    }
    InboundHandler node = inbound.get();
    if (node == null) {
      send(ctx, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "node not started"), keepAlive);
      return;
    }
    PendingAnswers.Key key = keyOf(message);
    if (key == null) {
      node.onMessage(message);
      send(ctx, json(HttpResponseStatus.OK, RaftJson.JSON.createObjectNode()), keepAlive);
      return;
    }
    park(ctx, key, message, keepAlive);
    node.onMessage(message);
  }

  private void park(ChannelHandlerContext ctx, PendingAnswers.Key key, RaftMessage message, boolean keepAlive) {
    AtomicBoolean answered = new AtomicBoolean();
    long sequence = message instanceof AppendEntries ae ? ae.sequence() : 0;
    PendingAnswers.Pending[] holder = new PendingAnswers.Pending[1];
    holder[0] = new PendingAnswers.Pending(sequence, answer -> {
      if (answered.compareAndSet(false, true)) {
        send(ctx, json(HttpResponseStatus.OK, (ObjectNode) answer), keepAlive);
        ctx.channel().config().setAutoRead(true);
      }
    });
    if (!pending.park(key, holder[0])) {
      send(ctx, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many requests from " + key.peer() + " waiting"), keepAlive);
      return;
    }
    // Stop reading until answered, so that a client pipelining on this connection gets answers in order.
    ctx.channel().config().setAutoRead(false);
    // In nanoseconds: whole milliseconds would wait less than configured (1.9 ms as 1 ms).
    ctx.executor().schedule(() -> {
      if (pending.remove(key, holder[0]) && answered.compareAndSet(false, true)) {
        send(ctx, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the node did not answer in time"), keepAlive);
        ctx.channel().config().setAutoRead(true);
      }
    }, answerTimeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Which parked exchange the node's answer to {@code request} completes; null for one-way messages. */
  static PendingAnswers.Key keyOf(RaftMessage request) {
    if (request instanceof AppendEntries) {
      return new PendingAnswers.Key(request.from(), PendingAnswers.Kind.APPEND);
    } else if (request instanceof RequestVote rv) {
      return new PendingAnswers.Key(request.from(), rv.preVote() ? PendingAnswers.Kind.PRE_VOTE : PendingAnswers.Kind.VOTE);
    } else if (request instanceof InstallSnapshot) {
      return new PendingAnswers.Key(request.from(), PendingAnswers.Kind.SNAPSHOT);
    }
    return null;
  }

  static FullHttpResponse json(HttpResponseStatus status, ObjectNode body) {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return response;
  }

  static FullHttpResponse error(HttpResponseStatus status, String message) {
    return json(status, RaftJson.JSON.createObjectNode().put("error", message));
  }

  private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    if (keepAlive) {
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("closing Raft HTTP connection {} after {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
