package dev.pontoon.raft.transport.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;

/**
 * Assembles the handlers of a connection: optional TLS, then frame decoding and encoding, then
 * the handshake-and-dispatch handler of the connection's side. Thread-safe.
 */
final class Pipelines {
  private final NettyTransportConfig config;
  private final SslContext serverTls;
  private final SslContext clientTls;
  private final FrameEncoder encoder;

  private final TransportCounters counters;
  private final InboundBudget budget;

  Pipelines(NettyTransportConfig config, SslContext serverTls, SslContext clientTls, TransportCounters counters,
      InboundBudget budget) {
    this.config = config;
    this.counters = counters;
    this.budget = budget;
    this.serverTls = serverTls;
    this.clientTls = clientTls;
    this.encoder = new FrameEncoder(config.clusterId(), WireFormat.DEFAULT_GROUP);
  }

  void initOutbound(Channel channel, InetSocketAddress remote, ChannelHandler last) {
    ChannelPipeline p = channel.pipeline();
    if (clientTls != null) {
      p.addLast("tls", TlsContexts.clientHandler(clientTls, channel.alloc(), remote,
          config.tls().insecureSkipHostNameVerification()));
    }
    addCodec(p, last);
  }

  void initInbound(Channel channel, ChannelHandler last) {
    ChannelPipeline p = channel.pipeline();
    if (serverTls != null) {
      p.addLast("tls", serverTls.newHandler(channel.alloc()));
    }
    addCodec(p, last);
  }

  private void addCodec(ChannelPipeline p, ChannelHandler last) {
    p.addLast("frameDecoder", FrameDecoder.awaitingHello(config.maxFrameSize(), config.clusterId(),
        WireFormat.DEFAULT_GROUP, budget, counters));
    p.addLast("frameEncoder", encoder);
    p.addLast("handler", last);
  }
}
