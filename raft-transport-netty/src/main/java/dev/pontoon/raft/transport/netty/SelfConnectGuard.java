package dev.pontoon.raft.transport.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First handler of an outgoing connection: a connection that met itself (see
 * {@link PeerConnection#selfConnected}) is handed back to its {@link PeerConnection} before any
 * other handler sees it active, so that no TLS or Pontoon handshake starts on it; a handshake
 * would read its own hello, refuse it and close the socket normally, which holds the peer's port
 * through TIME_WAIT. Any other connection passes on, and the guard leaves the pipeline.
 *
 * <p>Here, not in the connect future's listener: Netty may run that listener after the channel
 * became active, when the handshake has already started.
 */
final class SelfConnectGuard extends ChannelInboundHandlerAdapter {
  private final PeerConnection connection;

  SelfConnectGuard(PeerConnection connection) {
    this.connection = connection;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (PeerConnection.isSelfConnection(ctx.channel())) {
      connection.selfConnected(ctx.channel());
      return;
    }
    ctx.pipeline().remove(this);
    super.channelActive(ctx);
  }
}
