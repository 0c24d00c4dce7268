package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.log.Bytes;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * The connecting side of a connection. Sends this node's {@link Hello} as the first frame and
 * waits for the peer's: it must be of the same cluster and name the node this connection was
 * meant for (a wrong address in the configuration shows here), and with a shared secret carry the
 * peer's proof; this node then sends its own {@link HelloProof}. Then the connection is handed to
 * its {@link PeerConnection}; no other frame may arrive on it. One instance per channel.
 */
final class OutboundHandshake extends ChannelInboundHandlerAdapter {
  private final NettyTransportConfig config;
  private final PeerConnection connection;
  private final ConnectionErrors errors;
  private final SharedSecret secret;
  private final Bytes ourNonce;
  private boolean established;
  private ScheduledFuture<?> timeout;

  /**
   * @param secret the shared secret, or null without one
   * @param random the source of this connection's nonce
   */
  OutboundHandshake(NettyTransportConfig config, PeerConnection connection, TransportCounters counters,
      SharedSecret secret, SecureRandom random) {
    this.config = config;
    this.connection = connection;
    this.errors = ConnectionErrors.outbound(counters, config.localId().value());
    this.secret = secret;
    this.ourNonce = SharedSecret.newNonce(random);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.writeAndFlush(new Hello(config.clusterTag(), config.localId(), secret != null, ourNonce, Bytes.EMPTY));
    timeout = ctx.executor().schedule(() -> {
      if (!established) {
        errors.refuse(ctx, "no answer from " + connection.peer() + " within " + config.handshakeTimeout());
      }
    }, config.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timeout != null) {
      timeout.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (established) {
      errors.violation(ctx, msg.getClass().getSimpleName() + " on the outbound connection to " + connection.peer());
    } else if (!(msg instanceof Hello hello)) {
      errors.violation(ctx, msg.getClass().getSimpleName() + " before the handshake answer of " + connection.peer());
    } else {
      String refusal = refusal(ctx, hello);
      if (refusal != null) {
        errors.refuse(ctx, refusal);
        return;
      }
      if (secret != null) {
        ctx.writeAndFlush(new HelloProof(secret.connectorProof(config.clusterId(), config.localId(), hello.nodeId(),
            ourNonce, hello.nonce())));
      }
      established = true;
      timeout.cancel(false);
      // Nothing may follow on this connection; the decoder decodes it to report it as a violation.
      ctx.pipeline().get(FrameDecoder.class).open();
      connection.established(ctx.channel());
    }
  }

  /** Why the peer's answer is refused, or null to accept it. */
  private String refusal(ChannelHandlerContext ctx, Hello hello) {
    if (hello.clusterTag() != config.clusterTag()) {
      return connection.peer() + " at " + ctx.channel().remoteAddress() + " is in another cluster (tag "
          + Long.toHexString(hello.clusterTag()) + "), this node in " + config.clusterId() + " (tag "
          + Long.toHexString(config.clusterTag()) + ")";
    }
    if (!hello.nodeId().equals(connection.peer())) {
      return "expected " + connection.peer() + " at " + ctx.channel().remoteAddress() + " but found " + hello.nodeId();
    }
    if (secret != null) {
      if (!hello.sharedSecret() || hello.proof().size() == 0) {
        return connection.peer() + " at " + ctx.channel().remoteAddress() + " has no shared secret configured";
      }
      Bytes expected = secret.acceptorProof(config.clusterId(), config.localId(), hello.nodeId(), ourNonce,
          hello.nonce());
      if (!SharedSecret.matches(expected, hello.proof())) {
        return connection.peer() + " at " + ctx.channel().remoteAddress()
            + " does not prove the shared secret (a wrong or outdated secret)";
      }
    } else if (hello.sharedSecret() || hello.proof().size() != 0) {
      return connection.peer() + " at " + ctx.channel().remoteAddress()
          + " requires a shared secret, and this node has none";
    }
    boolean verify = config.tlsEnabled() && config.tls().verifiesNodeIds();
    return verify ? CertificateIdentity.mismatch(ctx.channel(), hello.nodeId()) : null;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    errors.exception(ctx, cause);
  }
}
