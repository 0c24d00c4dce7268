package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A TCP self-connect: while nothing listens on a peer's port, a connection to it whose source port
 * the kernel happens to pick equal to that port meets itself and succeeds. The test forces one by
 * binding the first attempt's source to the peer's own address.
 *
 * <p>The reset must not depend on which Netty runs first, the connect future's listener or the
 * channel's activation: when the handshake ran first, it refused its own hello and closed the
 * socket, the reset then threw on the closed channel and no attempt ever followed (a CI run).
 */
class SelfConnectTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  @Test
  void aConnectionThatMetItselfIsResetSoThePeerCanStillListenOnItsPort() {
    LoopbackCluster cluster = new LoopbackCluster(List.of(N1, N2));
    InetSocketAddress peerPort = cluster.address(N2);
    AtomicInteger attempts = new AtomicInteger();
    NettyTransport n1 = new NettyTransport(cluster.config(N1));
    n1.outgoingSourceForTests(peer -> attempts.getAndIncrement() == 0 ? peerPort : null);
    n1.start(message -> { });
    try {
      await("the self-connection is over and n1 tries again").atMost(RunningNode.PATIENCE)
          .until(() -> attempts.get() >= 2);
      assertTrue(!n1.isConnected(N2), "a connection to itself is never taken for the peer");
      // A handshake on it would read its own hello, refuse it and close the socket normally (TIME_WAIT).
      assertEquals(0, n1.stats().handshakeRejections(), "no handshake starts on a connection that met itself");

      // Closed normally, the self-connection would hold the port through TIME_WAIT: "Address already in use".
      try (RunningNode n2 = new RunningNode(cluster.config(N2))) {
        await("n1 connects to n2").atMost(RunningNode.PATIENCE).until(() -> n1.isConnected(N2));
      }
    } finally {
      n1.close();
    }
  }
}
