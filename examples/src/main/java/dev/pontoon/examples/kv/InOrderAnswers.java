package dev.pontoon.examples.kv;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Answers a connection's requests strictly in the order they were sent, as HTTP/1.1 requires of a
 * server that reads pipelined requests (RFC 9112 §9.3.2): a client matches answers to requests by
 * their order alone. Without it, a request answered at once (a GET of a key, a refusal) overtook
 * one still waiting for Raft: {@code PUT /kv/a} and {@code GET /kv/a} sent in one write were
 * answered 404, then 200.
 *
 * <p>It passes one request on at a time. A request that arrives while the answer to the one before
 * it has not been written in full is held, with everything after it, and the connection stops
 * reading; once that answer's last part is written, the held messages are passed on, again up to
 * the next request still waiting its turn, and the connection reads again when nothing is held.
 * The rest of the current request's body is passed on at once (a handler may answer before it has
 * read the body, and then drops it). An informational answer ({@code 100 Continue}) is not an
 * answer. After an answer that closes the connection ({@code Connection: close}) nothing more is
 * passed on: held requests are dropped unanswered, as the client must expect of a closed
 * connection.
 *
 * <p>Every handler after it sees one request at a time, so it covers the answers given early
 * (the {@link BrowserGuard}'s 403 and 421, the aggregator's 413, the {@link AdminGuard}'s 401, the
 * shared routes' refusals) as well as the asynchronous ones. One per connection, right after the
 * HTTP codec; runs on the connection's event loop.
 */
final class InOrderAnswers extends ChannelDuplexHandler {
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  /** A request has been passed on and the last part of its answer not yet written. */
  private boolean answering;
  /** The answer being written is informational (1xx): its last part does not end the request. */
  private boolean informational;
  /** An answer said {@code Connection: close}: nothing more is passed on. */
  private boolean closing;

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!held.isEmpty() || (answering && msg instanceof HttpRequest)) {
      held.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    if (msg instanceof HttpRequest) {
      answering = true;
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      informational = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
      closing |= !informational && !HttpUtil.isKeepAlive(response);
    }
    boolean answered = msg instanceof LastHttpContent && !informational;
    ctx.write(msg, promise);
    if (answered) {
      answering = false;
      if (closing) {
        dropHeld();
      } else if (!held.isEmpty()) {
        // Later, not from inside this write: the next request's answer may be written at once.
        ctx.executor().execute(() -> passHeld(ctx));
      }
    }
  }

  /** Passes on the held messages up to the next request that must wait; reads again when none is held. */
  private void passHeld(ChannelHandlerContext ctx) {
    boolean passed = false;
    while (!held.isEmpty() && !closing && !(answering && held.peek() instanceof HttpRequest)) {
      Object next = held.poll();
      if (next instanceof HttpRequest) {
        answering = true;
      }
      passed = true;
      ctx.fireChannelRead(next);
    }
    if (passed) {
      ctx.fireChannelReadComplete();
    }
    if (held.isEmpty() && !closing && ctx.channel().isActive()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void dropHeld() {
    Object msg;
    while ((msg = held.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    dropHeld();
    super.channelInactive(ctx);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    dropHeld();
  }
}
