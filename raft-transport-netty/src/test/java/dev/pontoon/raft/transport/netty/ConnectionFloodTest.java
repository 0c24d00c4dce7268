package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An idle flood: thousands of connections that open, send the first bytes of a Hello, and then
 * say nothing. The node holds at most {@code maxUnauthenticatedConnections} of them, its memory
 * stays flat, its established links keep carrying messages, and a member that connects during
 * the flood gets in. Over real loopback sockets.
 */
class ConnectionFloodTest {
  private static final int CONNECTIONS = 5_000;
  /** Both ends of every flood connection live in this process, plus the nodes' own sockets and jars. */
  private static final long FILE_DESCRIPTORS_NEEDED = 2L * CONNECTIONS + 1_000;
  private static final long MEMORY_BUDGET = 64L * 1024 * 1024;
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  @Test
  void fiveThousandIdlePreHandshakeConnectionsNeitherExhaustMemoryNorStopTheCluster() {
    long limit = maxFileDescriptors();
    assumeTrue(limit >= FILE_DESCRIPTORS_NEEDED, "skipped: " + CONNECTIONS + " idle connections need about "
        + FILE_DESCRIPTORS_NEEDED + " file descriptors in this process, and the limit (ulimit -n) is " + limit);
    LoopbackCluster cluster = new LoopbackCluster(List.of(N1, N2, N3));
    byte[] helloStart = Arrays.copyOf(Frames.encode(new Hello(LoopbackCluster.CLUSTER_ID, N3),
        LoopbackCluster.CLUSTER_ID), 10);
    List<Socket> flood = new ArrayList<>();
    try (RunningNode n1 = new RunningNode(cluster.config(N1));
        RunningNode n2 = new RunningNode(cluster.config(N2))) {
      n1.awaitLink(n2);
      n2.awaitLink(n1);
      long memoryBefore = memoryInUse();
      int mostPending = 0;

      for (int i = 0; i < CONNECTIONS; i++) {
        flood.add(openAndSay(n2.transport.localAddress(), helloStart));
        mostPending = Math.max(mostPending, n2.stats().unauthenticatedConnections());
      }
      await().atMost(RunningNode.PATIENCE)
          .until(() -> n2.stats().unauthenticatedEvicted() >= CONNECTIONS - maxPending());

      long memoryGrowth = memoryInUse() - memoryBefore;
      System.out.printf("%d idle connections: memory grew by %d KiB, at most %d in their handshake, %d evicted%n",
          CONNECTIONS, memoryGrowth / 1024, mostPending, n2.stats().unauthenticatedEvicted());
      assertTrue(mostPending <= maxPending(), "at most the cap in their handshake, saw " + mostPending);
      assertTrue(memoryGrowth < MEMORY_BUDGET, "memory grew by " + memoryGrowth + " bytes");
      assertLinkCarries(n1, n2);
      assertLinkCarries(n2, n1);
      try (RunningNode n3 = new RunningNode(cluster.config(N3))) {
        n3.awaitLink(n2);
        n2.awaitLink(n3);
      }
      assertEquals(0, n2.stats().decodeErrors() + n2.stats().protocolViolations(), n2.stats().toString());
    } finally {
      flood.forEach(ConnectionFloodTest::closeQuietly);
    }
  }

  private static int maxPending() {
    return NettyTransportConfig.DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS;
  }

  private static Socket openAndSay(InetSocketAddress address, byte[] bytes) {
    try {
      Socket socket = new Socket(address.getAddress(), address.getPort());
      socket.getOutputStream().write(bytes);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertLinkCarries(RunningNode from, RunningNode to) {
    RaftMessage marker = SampleMessages.numbered(from.id(), to.id(), 777_777);
    await("link " + from.id() + " -> " + to.id()).atMost(RunningNode.PATIENCE).pollInterval(Duration.ofMillis(20))
        .until(() -> {
          from.transport.send(marker);
          return to.received.contains(marker);
        });
  }

  /** Heap after a collection, plus the direct memory Netty's default allocator holds. */
  private static long memoryInUse() {
    System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long direct = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
        ? provider.metric().usedDirectMemory() : 0;
    return heap + direct;
  }

  private static long maxFileDescriptors() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 0;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Already closed by the node.
    }
  }
}
