package dev.pontoon.raft.transport;

import dev.pontoon.raft.log.ClusterConfig;
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

  /**
   * Told the configuration now in force, at start and whenever it changes (a configuration takes
   * effect when its entry is appended, so it may also change back after a truncation). A
   * transport that reaches peers by address takes new members' addresses from it and drops
   * connections to nodes that are no longer members. Called from the node's event loop; must
   * not block. The default ignores it.
   *
   * @param config the members and their addresses
   */
  default void configurationChanged(ClusterConfig config) {}

  /**
   * The largest encoded message this transport can carry, in bytes; the node never sends a
   * larger one, refuses commands that could not fit, and packs appends under it. The default
   * has no limit.
   *
   * @return a positive size in bytes
   */
  default int maxMessageBytes() {
    return Integer.MAX_VALUE;
  }

  /** Stops the transport. Idempotent; no message is delivered after it returns. */
  @Override
  void close();
}
