package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.message.RaftMessage;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.SecureRandom;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side of a connection. The first frame must be a {@link Hello} from a configured
 * peer of the same cluster; it is answered with this node's {@code Hello}. With a shared secret
 * the answer carries this node's proof, and the peer's {@link HelloProof} must follow before
 * anything else. After that, every message must come from that peer and be addressed to this
 * node; it is handed to the delivery function on this I/O thread. Anything else closes the
 * connection.
 *
 * <p>Until the handshake completes the connection counts against {@link
 * UnauthenticatedConnections}. Once accepted, it becomes its peer's only inbound connection: an
 * older one of the same peer (which the peer has given up, since it keeps one outbound connection
 * per peer) is closed, so a peer holds at most one connection and one frame in progress. One
 * instance per channel.
 */
final class InboundDispatcher extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  /**
   * What every inbound connection of a transport shares.
   *
   * @param secret the shared secret, or null without one
   * @param inboundByPeer the accepted connection of each peer
   */
  record Shared(NettyTransportConfig config, Set<NodeId> members, Consumer<RaftMessage> delivery,
      TransportCounters counters, UnauthenticatedConnections unauthenticated,
      ConcurrentMap<NodeId, Channel> inboundByPeer, SharedSecret secret, SecureRandom random) {}

  private final Shared shared;
  private final NettyTransportConfig config;
  private final ConnectionErrors errors;
  /** The peer, once its Hello is accepted (before its proof, with a shared secret). */
  private NodeId claimed;
  private Hello theirHello;
  private Bytes ourNonce;
  /** The peer, once the handshake is complete. */
  private NodeId peer;
  private ScheduledFuture<?> handshakeTimeout;

  InboundDispatcher(Shared shared) {
    this.shared = shared;
    this.config = shared.config();
    this.errors = ConnectionErrors.inbound(shared.counters(), config.localId().value());
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
    shared.unauthenticated().remove(ctx.channel());
    if (peer != null) {
      shared.inboundByPeer().remove(peer, ctx.channel());
      log.debug("{}: inbound connection from {} closed", config.localId(), peer);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (peer != null) {
      dispatch(ctx, msg);
    } else if (claimed == null) {
      hello(ctx, msg);
    } else {
      proof(ctx, msg);
    }
  }

  private void dispatch(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof RaftMessage m) {
      if (!m.from().equals(peer)) {
        errors.violation(ctx, m.getClass().getSimpleName() + " from " + m.from() + " on the connection of " + peer);
      } else if (!m.to().equals(config.localId())) {
        errors.violation(ctx, m.getClass().getSimpleName() + " for " + m.to() + " sent to " + config.localId());
      } else {
        shared.delivery().accept(m);
      }
    } else {
      errors.violation(ctx, "second handshake from " + peer);
    }
  }

  private void hello(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof Hello hello)) {
      errors.violation(ctx, msg.getClass().getSimpleName() + " before the handshake");
      return;
    }
    String refusal = refusal(ctx, hello);
    if (refusal != null) {
      errors.refuse(ctx, refusal);
      return;
    }
    claimed = hello.nodeId();
    theirHello = hello;
    ourNonce = SharedSecret.newNonce(shared.random());
    SharedSecret secret = shared.secret();
    Bytes proof = secret == null ? Bytes.EMPTY
        : secret.acceptorProof(config.clusterId(), claimed, config.localId(), hello.nonce(), ourNonce);
    if (secret != null) {
      // Synchronously, inside the decoder's channelRead: only the peer's proof may come next.
      ctx.pipeline().get(FrameDecoder.class).expect(WireFormat.TYPE_HELLO_PROOF);
      ctx.writeAndFlush(new Hello(config.clusterTag(), config.localId(), true, ourNonce, proof));
    } else {
      ctx.writeAndFlush(new Hello(config.clusterTag(), config.localId(), false, ourNonce, proof));
      established(ctx);
    }
  }

  private void proof(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HelloProof proof)) {
      errors.violation(ctx, msg.getClass().getSimpleName() + " instead of the handshake proof of " + claimed);
      return;
    }
    Bytes expected = shared.secret().connectorProof(config.clusterId(), claimed, config.localId(),
        theirHello.nonce(), ourNonce);
    if (!SharedSecret.matches(expected, proof.proof())) {
      errors.refuse(ctx, "node " + claimed + " at " + ctx.channel().remoteAddress()
          + " does not prove the shared secret (a wrong or outdated secret)");
      return;
    }
    established(ctx);
  }

  private void established(ChannelHandlerContext ctx) {
    peer = claimed;
    theirHello = null;
    cancelTimeout();
    shared.unauthenticated().remove(ctx.channel());
    errors.authenticated();
    Channel previous = shared.inboundByPeer().put(peer, ctx.channel());
    if (previous != null && previous != ctx.channel()) {
      log.debug("{}: new connection from {} replaces {}", config.localId(), peer, previous);
      previous.close();
    }
    // Synchronously, inside the decoder's channelRead: the frames behind this one decode now.
    ctx.pipeline().get(FrameDecoder.class).open();
    log.debug("{}: accepted connection from {} at {}", config.localId(), peer, ctx.channel().remoteAddress());
  }

  /** Why {@code hello} is refused, or null to accept it. */
  private String refusal(ChannelHandlerContext ctx, Hello hello) {
    if (hello.clusterTag() != config.clusterTag()) {
      return "peer " + hello.nodeId() + " is in another cluster (tag " + Long.toHexString(hello.clusterTag())
          + "), this node in " + config.clusterId() + " (tag " + Long.toHexString(config.clusterTag()) + ")";
    }
    if (!shared.members().contains(hello.nodeId())) {
      return "node " + hello.nodeId() + " is not a configured peer of " + config.localId();
    }
    boolean ourSecret = shared.secret() != null;
    if (hello.sharedSecret() != ourSecret) {
      return "node " + hello.nodeId() + (ourSecret ? " has no shared secret configured, and this node requires one"
          : " has a shared secret configured, and this node has none");
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
