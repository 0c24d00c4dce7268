package dev.pontoon.raft.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import java.net.InetSocketAddress;

/**
 * Assembles the handlers of a connection: on an outgoing one a guard against TCP self-connects,
 * then optional TLS, then frame decoding and encoding, then the handshake-and-dispatch handler of
 * the connection's side. Thread-safe.
 */
final class Pipelines {
  private final InboundDispatcher.Shared shared;
  private final NettyTransportConfig config;
  private final TlsMaterial tls;
  private final InboundBudget budget;
  private final FrameEncoder encoder;

  /**
   * @param shared what the connections of the transport share
   * @param tls the TLS material of new connections, or null for plain TCP
   * @param budget the inbound bytes all connections share
   */
  Pipelines(InboundDispatcher.Shared shared, TlsMaterial tls, InboundBudget budget) {
    this.shared = shared;
    this.config = shared.config();
    this.tls = tls;
    this.budget = budget;
    this.encoder = new FrameEncoder(config.clusterTag(), WireFormat.DEFAULT_GROUP);
  }

  /** The handlers of a connection to {@code connection}'s peer at {@code remote}. */
  void initOutbound(Channel channel, InetSocketAddress remote, PeerConnection connection) {
    ChannelPipeline p = channel.pipeline();
    p.addLast("selfConnectGuard", new SelfConnectGuard(connection));
    if (tls != null) {
      p.addLast("tls", TlsContexts.clientHandler(tls.client(), channel.alloc(), remote,
          config.tls().insecureSkipHostNameVerification()));
    }
    addCodec(p, new OutboundHandshake(config, connection, shared.counters(), shared.secret(), shared.random()));
  }

  /** The handlers of an accepted connection. */
  void initInbound(Channel channel) {
    ChannelPipeline p = channel.pipeline();
    if (tls != null) {
      p.addLast("tls", tls.server().newHandler(channel.alloc()));
    }
    addCodec(p, new InboundDispatcher(shared));
  }

  private void addCodec(ChannelPipeline p, ChannelHandler last) {
    p.addLast("frameDecoder", FrameDecoder.awaitingHello(config.maxFrameSize(), config.clusterTag(),
        WireFormat.DEFAULT_GROUP, budget, shared.counters()));
    p.addLast("frameEncoder", encoder);
    p.addLast("handler", last);
  }
}
