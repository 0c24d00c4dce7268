package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/** Configurations of transports on loopback ports reserved up front, so that each knows the others. */
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

  /**
   * A loopback address whose port was free a moment ago; the transport binds with SO_REUSEADDR.
   * The port is below the kernel's ephemeral range (Linux: 32768 and up): a port from that range
   * can be taken, before its transport binds it, as the source port of an outgoing connection —
   * an earlier transport connecting to that very port, even (a TCP self-connect), after which the
   * bind fails with "Address already in use". Source ports never come from below the range.
   */
  static InetSocketAddress freeLoopbackAddress() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int tries = 0; tries < 1000; tries++) {
      try (ServerSocket socket = new ServerSocket(random.nextInt(20_000, 32_768), 1, InetAddress.getLoopbackAddress())) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
      } catch (BindException taken) {
        // in use: try another
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free loopback port in [20000, 32768)");
  }
}
