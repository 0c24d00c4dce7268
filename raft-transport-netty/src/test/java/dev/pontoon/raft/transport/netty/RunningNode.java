package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** A started {@link NettyTransport} with the messages it received. */
final class RunningNode implements AutoCloseable {
  static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final AtomicLong PROBES = new AtomicLong(1_000_000);

  final NettyTransport transport;
  final ConcurrentLinkedQueue<RaftMessage> received = new ConcurrentLinkedQueue<>();

  RunningNode(NettyTransportConfig config) {
    transport = new NettyTransport(config);
    transport.start(received::add);
  }

  NodeId id() {
    return transport.config().localId();
  }

  NettyTransportStats stats() {
    return transport.stats();
  }

  List<RaftMessage> messages() {
    return List.copyOf(received);
  }

  /** Sends numbered heartbeats to {@code to} until one arrives there. */
  void awaitLink(RunningNode to) {
    await("link " + id() + " -> " + to.id()).atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> {
      RaftMessage probe = SampleMessages.numbered(id(), to.id(), PROBES.incrementAndGet());
      transport.send(probe);
      return to.received.stream().anyMatch(m -> m.from().equals(id()));
    });
  }

  @Override
  public void close() {
    transport.close();
  }
}
