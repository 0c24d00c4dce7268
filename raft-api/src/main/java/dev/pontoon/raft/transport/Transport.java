package dev.pontoon.raft.transport;

import dev.pontoon.raft.message.RaftMessage;

/**
 * Carries {@link RaftMessage}s between the nodes of a cluster.
 *
 * <p><b>Contract.</b>
 * <ul>
 *   <li>{@link #start(InboundHandler)} is called once, before any {@link #send}; from then on
 *       the transport hands every message addressed to this node to the handler.
 *   <li>{@link #send} never blocks and never throws: it is called from the node's event-loop
 *       thread. A message that cannot be delivered (peer unknown, unreachable, slow) may be
 *       dropped; Raft retries. Implementations should count what they drop.
 *   <li>Messages may be delivered late, twice or out of order; Raft tolerates all three.
 *   <li>The handler is called from transport threads; it only enqueues, so it returns quickly.
 *   <li>{@link #close()} stops delivery and releases resources; it is idempotent and called once
 *       the node no longer sends.
 * </ul>
 *
 * <p>New abilities are added as {@code default} methods, never as extra interfaces that callers
 * would have to discover with {@code instanceof}.
 *
 * @see InboundHandler
 */
public interface Transport extends AutoCloseable {

  /**
   * Starts delivering inbound messages to {@code inbound}.
   *
   * @param inbound receives every message addressed to this node
   */
  void start(InboundHandler inbound);

  /**
   * Sends {@code message} to {@code message.to()}, or drops it. Never blocks, never throws.
   *
   * @param message the message; immutable, may be retained
   */
  void send(RaftMessage message);

  /** Stops the transport. Idempotent; no message is delivered after it returns. */
  @Override
  void close();
}
