package dev.pontoon.examples.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.ClusterConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --join} on a TLS cluster: the joining node asks a follower over HTTPS (trusting the
 * cluster's CA) with the admin bearer token, connects to the members over mutual TLS with a
 * certificate of the same CA, becomes a voter and receives the log.
 */
class KvJoinTlsTest {
  private static final String TOKEN = "admin-token-for-the-tls-join-test";

  @Test
  void aNodeJoinsATlsClusterOverHttpsWithTheAdminTokenAndBecomesAVoter(@TempDir Path dir) throws Exception {
    List<NodeSpec> members = FreePorts.members();
    List<Integer> ports = FreePorts.take(2);
    NodeSpec n4 = NodeSpec.parse("n4=127.0.0.1:" + ports.get(0) + "/127.0.0.1:" + ports.get(1));
    List<NodeSpec> everyone = new ArrayList<>(members);
    everyone.add(n4);
    // One CA issues every certificate, the newcomer's included: that is what lets it in.
    Map<NodeId, List<String>> flags = LocalCluster.tlsFlags(dir, everyone, true);
    Path token = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
    List<KvNode> nodes = new ArrayList<>();
    KvNode joined = null;
    try {
      for (NodeSpec m : members) {
        nodes.add(KvNode.start(m.id(), members, dir.resolve(m.id().value()), "netty", 0, security(flags, m, token)));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream()
          .anyMatch(n -> n.raft().status().role() == Role.LEADER));
      KvNode follower = nodes.stream().filter(n -> n.raft().status().role() != Role.LEADER).findFirst().orElseThrow();
      long committedBefore = follower.raft().status().commitIndex();

      joined = KvNode.start(n4.id(), List.of(n4), dir.resolve("n4"), "netty", 0, 0, security(flags, n4, token),
          KvNode.Seam.NONE, URI.create("https://127.0.0.1:" + follower.httpAddress().getPort()));
      KvNode newcomer = joined;
      await("n4 joins as a voter").atMost(Duration.ofSeconds(60)).until(newcomer::joined);
      ClusterConfig config = newcomer.raft().status().config();
      assertTrue(config != null && config.voters().contains(n4.id()), String.valueOf(config));
      await("n4 holds the log, over mutual TLS").atMost(Duration.ofSeconds(30))
          .until(() -> newcomer.raft().status().lastApplied() > committedBefore);
    } finally {
      if (joined != null) {
        joined.close();
      }
      nodes.forEach(KvNode::close);
    }
  }

  private static NodeSecurity security(Map<NodeId, List<String>> flags, NodeSpec member, Path token) {
    List<String> f = flags.get(member.id());
    return new NodeSecurity(Path.of(f.get(1)), Path.of(f.get(3)), Path.of(f.get(5)), token, false, false);
  }
}
