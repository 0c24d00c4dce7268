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
  /** Raft messages whose bodies were decoded, delivered or not; not in the public stats. */
  final LongAdder raftMessagesDecoded = new LongAdder();

  NettyTransportStats snapshot() {
    return new NettyTransportStats(sent.sum(), received.sum(), droppedUnknownPeer.sum(), droppedNotConnected.sum(),
        droppedUnwritable.sum(), droppedOversize.sum(), droppedClosed.sum(), decodeErrors.sum(),
        handshakeRejections.sum(), protocolViolations.sum(), reconnects.sum());
  }
}
