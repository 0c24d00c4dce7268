package dev.pontoon.raft.engine.memory;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's endpoint on an {@link InMemoryNetwork}. Sending hands the message to the target's
 * handler on the caller's thread; nothing is copied, since messages are immutable.
 */
final class InMemoryTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(InMemoryTransport.class);

  private final NodeId self;
  private final InMemoryNetwork network;
  private volatile InboundHandler inbound;
  private volatile boolean closed;

  InMemoryTransport(NodeId self, InMemoryNetwork network) {
    this.self = self;
    this.network = network;
  }

  @Override
  public void start(InboundHandler handler) {
    Objects.requireNonNull(handler, "handler");
    if (closed) {
      throw new IllegalStateException("transport of " + self + " is closed");
    }
    if (inbound != null) {
      throw new IllegalStateException("transport of " + self + " was already started");
    }
    inbound = handler;
  }

  @Override
  public void send(RaftMessage message) {
    if (closed || message == null) {
      return;
    }
    network.deliver(message);
  }

  /** Hands an inbound message to the handler; false when this endpoint cannot take it. */
  boolean receive(RaftMessage message) {
    InboundHandler handler = inbound;
    if (closed || handler == null) {
      return false;
    }
    try {
      handler.onMessage(message);
      return true;
    } catch (RuntimeException e) {
      // A handler must only enqueue; if it throws anyway, the message is dropped, as a network would.
      LOG.warn("{}: inbound handler threw on {}; message dropped", self, message.getClass().getSimpleName(), e);
      return false;
    }
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "InMemoryTransport[" + self + (closed ? ", closed]" : "]");
  }
}
