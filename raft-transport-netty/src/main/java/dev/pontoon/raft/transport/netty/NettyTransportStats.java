package dev.pontoon.raft.transport.netty;

/**
 * Counters of a {@link NettyTransport} since it was created. A snapshot: values do not change
 * after it is taken. Counters are read without a global lock, so a snapshot taken while traffic
 * flows may mix slightly different instants.
 *
 * @param messagesSent messages written to a peer's connection
 * @param messagesReceived messages handed to the {@code InboundHandler}
 * @param droppedUnknownPeer messages for a node that is not a peer (neither statically configured nor a member of
 *     the configuration in force)
 * @param droppedNotConnected messages for a peer with no established connection at the time
 * @param droppedUnwritable messages for a peer whose connection was over its high water mark
 * @param droppedOversize messages whose frame would exceed the maximum frame size
 * @param droppedClosed messages sent before {@code start} or after {@code close}
 * @param decodeErrors connections closed because a frame did not decode
 * @param handshakeRejections connections refused during the handshake (other cluster, node not
 *     in the configuration, unexpected peer identity, TLS failure, handshake timeout)
 * @param protocolViolations connections closed for a well-formed but illegal frame (a message
 *     before the handshake, a message whose sender is not the connected peer or whose receiver is
 *     not this node)
 * @param reconnects connection attempts scheduled after a failed or lost connection
 * @param unauthenticatedEvicted inbound connections closed before their handshake completed
 *     because {@code maxUnauthenticatedConnections} newer ones arrived
 * @param inboundReadPauses times an inbound connection stopped reading because its next frame
 *     did not fit {@code maxInboundBufferedBytes}
 * @param tlsReloads times new TLS material was loaded from changed files
 * @param tlsReloadFailures times changed TLS files were refused (unreadable, a key of another
 *     certificate, a certificate outside its validity period); the previous material stayed
 * @param unauthenticatedConnections inbound connections in their handshake when the snapshot
 *     was taken (a gauge, at most {@code maxUnauthenticatedConnections})
 * @param inboundBufferedBytes bytes reserved by frames still arriving when the snapshot was
 *     taken (a gauge, at most {@code maxInboundBufferedBytes})
 */
public record NettyTransportStats(long messagesSent, long messagesReceived, long droppedUnknownPeer,
    long droppedNotConnected, long droppedUnwritable, long droppedOversize, long droppedClosed, long decodeErrors,
    long handshakeRejections, long protocolViolations, long reconnects, long unauthenticatedEvicted,
    long inboundReadPauses, long tlsReloads, long tlsReloadFailures, int unauthenticatedConnections,
    long inboundBufferedBytes) {

  /** All dropped messages, whatever the reason. */
  public long dropped() {
    return droppedUnknownPeer + droppedNotConnected + droppedUnwritable + droppedOversize + droppedClosed;
  }
}
