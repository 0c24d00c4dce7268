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
 * function on this I/O thread. Anything else closes the connection. One instance per channel.
 */
final class InboundDispatcher extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private final NettyTransportConfig config;
  private final Set<NodeId> members;
  private final Consumer<RaftMessage> delivery;
  private final ConnectionErrors errors;
  private NodeId peer;
  private ScheduledFuture<?> handshakeTimeout;

  InboundDispatcher(NettyTransportConfig config, Set<NodeId> members, Consumer<RaftMessage> delivery,
      TransportCounters counters) {
    this.config = config;
    this.members = members;
    this.delivery = delivery;
    this.errors = new ConnectionErrors(counters, config.localId().value());
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
    if (peer != null) {
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
