package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;

/**
 * A transport that hands every call to a real one: tests extend it and override only what they
 * watch or change, so that every other call still reaches the real transport.
 */
abstract class ForwardingTransport implements Transport {

  final Transport delegate;

  ForwardingTransport(Transport delegate) {
    this.delegate = delegate;
  }

  @Override
  public void start(InboundHandler inbound) {
    delegate.start(inbound);
  }

  @Override
  public void send(RaftMessage message) {
    delegate.send(message);
  }

  @Override
  public void configurationChanged(ClusterConfig config) {
    delegate.configurationChanged(config);
  }

  @Override
  public int maxMessageBytes() {
    return delegate.maxMessageBytes();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
