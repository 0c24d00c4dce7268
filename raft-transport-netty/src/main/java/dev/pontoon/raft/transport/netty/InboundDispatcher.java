package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of a connection. The first frame must be a {@link Hello} from a configured
 * peer of the same cluster; it is answered with this node's {@code Hello}. After that, every
 * message must come from that peer and be addressed to this node; it is handed to the delivery
 * function on this I/O thread. Anything else closes the connection.
 *
 * <p>Until the handshake completes the connection counts against {@link
 * UnauthenticatedConnections}. Once accepted, it becomes its peer's only inbound connection: an
 * older one of the same peer (which the peer has given up, since it keeps one outbound connection
 * per peer) is closed, so a peer holds at most one connection and one frame in progress. One
 * instance per channel.
 */
final class InboundDispatcher extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private final NettyTransportConfig config;
  private final Set<NodeId> members;
  private final Consumer<RaftMessage> delivery;
  private final ConnectionErrors errors;
  private final UnauthenticatedConnections unauthenticated;
  private final java.util.concurrent.ConcurrentMap<NodeId, io.netty.channel.Channel> inboundByPeer;
  private NodeId peer;
  private ScheduledFuture<?> handshakeTimeout;

  InboundDispatcher(NettyTransportConfig config, Set<NodeId> members, Consumer<RaftMessage> delivery,
      TransportCounters counters, UnauthenticatedConnections unauthenticated,
      java.util.concurrent.ConcurrentMap<NodeId, io.netty.channel.Channel> inboundByPeer) {
    this.config = config;
    this.unauthenticated = unauthenticated;
    this.inboundByPeer = inboundByPeer;
    this.members = members;
    this.delivery = delivery;
    this.errors = ConnectionErrors.inbound(counters, config.localId().value());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    handshakeTimeout = ctx.executor().schedule(() -> {
      if (peer == null) {
        errors.refuse(ctx, "no handshake within " + config.handshakeTimeout());
      }
    }, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimeout();
    unauthenticated.remove(ctx.channel());
    if (peer != null) {
      inboundByPeer.remove(peer, ctx.channel());
      log.debug("{}: inbound connection from {} closed", config.localId(), peer);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (peer == null) {
      handshake(ctx, msg);
    } else if (msg instanceof RaftMessage m) {
      if (!m.from().equals(peer)) {
        errors.violation(ctx, m.getClass().getSimpleName() + " from " + m.from() + " on the connection of " + peer);
      } else if (!m.to().equals(config.localId())) {
        errors.violation(ctx, m.getClass().getSimpleName() + " for " + m.to() + " sent to " + config.localId());
      } else {
        delivery.accept(m);
      }
    } else {
      errors.violation(ctx, "second handshake from " + peer);
    }
  }

  private void handshake(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Hello hello)) {
      errors.violation(ctx, msg.getClass().getSimpleName() + " before the handshake");
      return;
    }
    String refusal = refusal(ctx, hello);
    if (refusal != null) {
      errors.refuse(ctx, refusal);
      return;
    }
    peer = hello.nodeId();
    cancelTimeout();
    unauthenticated.remove(ctx.channel());
    errors.authenticated();
    io.netty.channel.Channel previous = inboundByPeer.put(peer, ctx.channel());
    if (previous != null && previous != ctx.channel()) {
      log.debug("{}: new connection from {} replaces {}", config.localId(), peer, previous);
      previous.close();
    }
    // Synchronously, inside the decoder's channelRead: the frames behind the Hello decode now.
    ctx.pipeline().get(FrameDecoder.class).open();
    ctx.writeAndFlush(new Hello(config.clusterId(), config.localId()));
    log.debug("{}: accepted connection from {} at {}", config.localId(), peer, ctx.channel().remoteAddress());
  }

  /** Why {@code hello} is refused, or null to accept it. */
  private String refusal(ChannelHandlerContext ctx, Hello hello) {
    if (hello.clusterId() != config.clusterId()) {
      return "peer " + hello.nodeId() + " is in cluster " + hello.clusterId() + ", this node in " + config.clusterId();
    }
    if (!members.contains(hello.nodeId())) {
      return "node " + hello.nodeId() + " is not a configured peer of " + config.localId();
    }
    return verifiesNodeIds() ? CertificateIdentity.mismatch(ctx.channel(), hello.nodeId()) : null;
  }

  private boolean verifiesNodeIds() {
    return config.tlsEnabled() && config.tls().verifiesNodeIds();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    errors.exception(ctx, cause);
  }

  private void cancelTimeout() {
    if (handshakeTimeout != null) {
      handshakeTimeout.cancel(false);
      handshakeTimeout = null;
    }
  }
}
