package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound connections that have not completed their handshake, at most {@code max} of them.
 * A new connection beyond the cap evicts (closes) the oldest one: an idle flood can hold no more
 * than {@code max} connections, and each of those only until {@code max} newer ones arrive or the
 * handshake timeout ends it, so a real peer's handshake, which takes a few round trips, still gets
 * through. Thread-safe.
 */
final class UnauthenticatedConnections {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);
  /** Marks a channel closed by eviction: its close is counted here, not reported again as a failure. */
  private static final AttributeKey<Boolean> EVICTED = AttributeKey.valueOf(UnauthenticatedConnections.class, "evicted");

  private final NodeId local;
  private final int max;
  private final LongAdder evictions;
  private final TransportCounters.OncePerInterval warnings =
      new TransportCounters.OncePerInterval(TimeUnit.MINUTES.toNanos(1));
  /** In arrival order; guarded by this. */
  private final LinkedHashSet<Channel> pending = new LinkedHashSet<>();

  UnauthenticatedConnections(NodeId local, int max, LongAdder evictions) {
    this.local = local;
    this.max = max;
    this.evictions = evictions;
  }

  /** Admits {@code channel}, closing the oldest pending connection if the cap is reached. */
  void admit(Channel channel) {
    Channel evicted = null;
    synchronized (this) {
      if (pending.size() >= max) {
        evicted = pending.iterator().next();
        pending.remove(evicted);
      }
      pending.add(channel);
    }
    if (evicted != null) {
      evictions.increment();
      if (warnings.tryAcquire()) {
        log.warn("{}: {} inbound connections are in their handshake (maxUnauthenticatedConnections): closing the"
            + " oldest for each new one ({} so far; at most one such warning a minute)", local, max, evictions.sum());
      }
      evicted.attr(EVICTED).set(Boolean.TRUE);
      evicted.close();
    }
  }

  /** Whether {@code channel} was closed to make room for a newer connection. */
  static boolean wasEvicted(Channel channel) {
    return channel.hasAttr(EVICTED);
  }

  /** {@code channel} completed its handshake or closed; idempotent. */
  synchronized void remove(Channel channel) {
    pending.remove(channel);
  }

  synchronized int size() {
    return pending.size();
  }
}
