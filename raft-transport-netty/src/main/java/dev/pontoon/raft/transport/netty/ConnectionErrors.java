package dev.pontoon.raft.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a connection failure into a log line, a counter and a closed channel.
 * Each connection reports at most once; later failures of the same connection are only closed.
 * A connection closed here for what the peer sent is condemned: its {@link FrameDecoder} decodes
 * nothing more, so no frame behind the failure is delivered, not even one the same read brought.
 * (An I/O error only closes the connection: the peer sent nothing wrong.)
 *
 * <p>Failures of inbound connections that have not completed their handshake come from whoever
 * can reach the port, so that they cannot flood the log: they are all counted, but logged at WARN
 * at most once a minute per transport, and at DEBUG otherwise.
 */
final class ConnectionErrors {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private final TransportCounters counters;
  private final String local;
  private boolean unauthenticated;
  private boolean reported;

  private ConnectionErrors(TransportCounters counters, String local, boolean unauthenticated) {
    this.counters = counters;
    this.local = local;
    this.unauthenticated = unauthenticated;
  }

  /** For a connection this node opened to a configured peer. */
  static ConnectionErrors outbound(TransportCounters counters, String local) {
    return new ConnectionErrors(counters, local, false);
  }

  /** For a connection a peer opened; unauthenticated until {@link #authenticated()}. */
  static ConnectionErrors inbound(TransportCounters counters, String local) {
    return new ConnectionErrors(counters, local, true);
  }

  /** The peer completed its handshake: its failures are logged at WARN from now on. */
  void authenticated() {
    unauthenticated = false;
  }

  /** An exception reached the end of the pipeline. */
  void exception(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ProtocolViolationException) {
      violation(ctx, cause.getMessage());
    } else if (cause instanceof DecoderException && cause.getCause() instanceof SSLException) {
      refuse(ctx, "TLS handshake failed: " + cause.getCause().getMessage());
    } else if (cause instanceof DecoderException) {
      close(ctx, counters.decodeErrors, "undecodable frame: " + cause.getMessage());
    } else if (cause instanceof SSLException) {
      refuse(ctx, "TLS failure: " + cause.getMessage());
    } else if (cause instanceof IOException) {
      if (!reported) {
        reported = true;
        log.debug("{}: connection {} failed: {}", local, ctx.channel(), cause.toString());
      }
      ctx.close();
    } else {
      close(ctx, null, "unexpected " + cause);
    }
  }

  /** The handshake refused the peer. */
  void refuse(ChannelHandlerContext ctx, String reason) {
    close(ctx, counters.handshakeRejections, "handshake refused: " + reason);
  }

  /** A well-formed frame that the protocol does not allow at this point. */
  void violation(ChannelHandlerContext ctx, String reason) {
    close(ctx, counters.protocolViolations, "protocol violation: " + reason);
  }

  private void close(ChannelHandlerContext ctx, LongAdder counter, String reason) {
    FrameDecoder decoder = ctx.pipeline().get(FrameDecoder.class);
    if (decoder != null) {
      decoder.discard();
    }
    if (UnauthenticatedConnections.wasEvicted(ctx.channel())) {
      reported = true; // counted and logged (at most once a minute) by the eviction
    }
    if (!reported) {
      reported = true;
      if (counter != null) {
        counter.increment();
      }
      if (!unauthenticated) {
        log.warn("{}: closing connection {}: {}", local, ctx.channel(), reason);
      } else if (counters.unauthenticatedWarnings.tryAcquire()) {
        log.warn("{}: closing connection {}: {} (failures of unauthenticated connections are logged at WARN at most"
            + " once a minute, the others at DEBUG; all are counted)", local, ctx.channel(), reason);
      } else {
        log.debug("{}: closing connection {}: {}", local, ctx.channel(), reason);
      }
    }
    ctx.close();
  }
}
