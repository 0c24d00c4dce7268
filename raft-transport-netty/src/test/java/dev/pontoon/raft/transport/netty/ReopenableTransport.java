package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;

/**
 * A transport whose underlying {@link NettyTransport} a test can close and replace while the
 * node above keeps running: the node is cut off from the network, then comes back on the same
 * address.
 */
final class ReopenableTransport implements Transport {
  private final NettyTransportConfig config;
  private volatile NettyTransport current;
  private volatile InboundHandler handler;

  ReopenableTransport(NettyTransportConfig config) {
    this.config = config;
    this.current = new NettyTransport(config);
  }

  @Override
  public void start(InboundHandler inbound) {
    handler = inbound;
    current.start(inbound);
  }

  @Override
  public void send(RaftMessage message) {
    current.send(message);
  }

  /** Closes the network side; sends are dropped until {@link #reopen()}. */
  void cut() {
    current.close();
  }

  /** A fresh transport on the same address, delivering to the same handler. */
  void reopen() {
    NettyTransport fresh = new NettyTransport(config);
    fresh.start(handler);
    current = fresh;
  }

  @Override
  public int maxMessageBytes() {
    return current.maxMessageBytes();
  }

  NettyTransport current() {
    return current;
  }

  @Override
  public void close() {
    current.close();
  }
}
