package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/** Configurations of transports on loopback ports chosen up front, so that each knows the others. */
final class LoopbackCluster {
  static final ClusterId CLUSTER = ClusterId.of("loopback");
  /** The tag of {@link #CLUSTER} in frame headers, for raw sockets. */
  static final long CLUSTER_ID = WireFormat.tagOf(CLUSTER);

  private final Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();

  LoopbackCluster(List<NodeId> ids) {
    ids.forEach(id -> addresses.put(id, freeLoopbackAddress()));
  }

  Map<NodeId, InetSocketAddress> addresses() {
    return addresses;
  }

  InetSocketAddress address(NodeId id) {
    return addresses.get(id);
  }

  /** A configuration of {@code id} with every other node as peer and short test back-offs. */
  NettyTransportConfig config(NodeId id) {
    return config(id, b -> b);
  }

  NettyTransportConfig config(NodeId id, UnaryOperator<NettyTransportConfig.Builder> custom) {
    NettyTransportConfig.Builder builder = NettyTransportConfig.builder(id, CLUSTER)
        .listenAddress(addresses.get(id))
        .peers(addresses)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(200))
        .ioThreads(1)
        .jitter(new SplittableRandom(id.hashCode()));
    return custom.apply(builder).build();
  }

  /** A loopback address whose port no other caller in this JVM was given (see {@link LoopbackPorts}). */
  static InetSocketAddress freeLoopbackAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), LoopbackPorts.takeOne());
  }
}
