package dev.pontoon.raft.transport.netty;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link NettyTransportStats}; updated from any thread. */
final class TransportCounters {
  final LongAdder sent = new LongAdder();
  final LongAdder received = new LongAdder();
  final LongAdder droppedUnknownPeer = new LongAdder();
  final LongAdder droppedNotConnected = new LongAdder();
  final LongAdder droppedUnwritable = new LongAdder();
  final LongAdder droppedOversize = new LongAdder();
  final LongAdder droppedClosed = new LongAdder();
  final LongAdder decodeErrors = new LongAdder();
  final LongAdder handshakeRejections = new LongAdder();
  final LongAdder protocolViolations = new LongAdder();
  final LongAdder reconnects = new LongAdder();
  final LongAdder unauthenticatedEvicted = new LongAdder();
  final LongAdder inboundReadPauses = new LongAdder();
  final LongAdder tlsReloads = new LongAdder();
  final LongAdder tlsReloadFailures = new LongAdder();
  /** Admits one WARN a minute about unauthenticated connections. */
  final OncePerInterval unauthenticatedWarnings = new OncePerInterval(java.util.concurrent.TimeUnit.MINUTES.toNanos(1));
  /** Raft messages whose bodies were decoded, delivered or not; not in the public stats. */
  final LongAdder raftMessagesDecoded = new LongAdder();

  /** Grants at most one permit per interval; thread-safe. */
  static final class OncePerInterval {
    private final long intervalNanos;
    private final java.util.concurrent.atomic.AtomicLong last;

    OncePerInterval(long intervalNanos) {
      this.intervalNanos = intervalNanos;
      this.last = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - intervalNanos);
    }

    boolean tryAcquire() {
      long now = System.nanoTime();
      long previous = last.get();
      return now - previous >= intervalNanos && last.compareAndSet(previous, now);
    }
  }

  NettyTransportStats snapshot(int unauthenticatedConnections, long inboundBufferedBytes) {
    return new NettyTransportStats(sent.sum(), received.sum(), droppedUnknownPeer.sum(), droppedNotConnected.sum(),
        droppedUnwritable.sum(), droppedOversize.sum(), droppedClosed.sum(), decodeErrors.sum(),
        handshakeRejections.sum(), protocolViolations.sum(), reconnects.sum(), unauthenticatedEvicted.sum(),
        inboundReadPauses.sum(), tlsReloads.sum(), tlsReloadFailures.sum(), unauthenticatedConnections,
        inboundBufferedBytes);
  }
}
