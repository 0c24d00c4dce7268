package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.SampleMessages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** Who may connect in: the peers of the configuration in force, however early it was reported. */
class PeerAdmissionTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  /**
   * A configuration reported before {@code start} (which {@code configurationChanged} allows) is
   * the one in force: a static peer it does not name is no peer, so its Hello is refused, as after
   * the linger of a removal reported later.
   */
  @Test
  void staticPeerLeftOutOfAConfigurationReportedBeforeStartIsRefused() {
    LoopbackCluster cluster = new LoopbackCluster(List.of(N1, N2, N3));
    NettyTransport n1 = new NettyTransport(cluster.config(N1));
    ConcurrentLinkedQueue<RaftMessage> received = new ConcurrentLinkedQueue<>();
    try {
      n1.configurationChanged(ClusterConfig.ofVoters("n1", "n2"));
      n1.start(received::add);
      try (RawSocket n3 = new RawSocket(n1.localAddress(), LoopbackCluster.CLUSTER_ID)) {
        n3.send(new Hello(LoopbackCluster.CLUSTER_ID, N3));
        n3.send(SampleMessages.numbered(N3, N1, 1));

        await("n3's Hello is refused").atMost(Duration.ofSeconds(10))
            .until(() -> n1.stats().handshakeRejections() == 1);
        assertTrue(n3.closedByPeer());
        assertTrue(received.isEmpty(), "nothing of n3 delivered: " + received);
      }
    } finally {
      n1.close();
    }
  }
}
