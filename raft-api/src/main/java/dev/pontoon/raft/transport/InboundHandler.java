package dev.pontoon.raft.transport;

import dev.pontoon.raft.message.RaftMessage;

/**
 * Receives the messages a {@link Transport} delivers to this node. Called from transport
 * threads, possibly concurrently; implementations only enqueue and never block.
 */
@FunctionalInterface
public interface InboundHandler {
  /** Accepts one inbound message. */
  void onMessage(RaftMessage message);
}
