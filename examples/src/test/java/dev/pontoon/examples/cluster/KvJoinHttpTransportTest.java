package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.ClusterConfig;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --join} on the HTTP/JSON transport, in process: a fourth node joins three through a
 * follower, is reached at the address the configuration records for it (the members never had it
 * in {@code --peers}), becomes a voter, and then counts: with it, a write commits after one of the
 * first three is gone.
 */
class KvJoinHttpTransportTest {

  @Test
  void aNodeJoiningOverTheHttpTransportIsReachedAtItsRecordedAddressAndVotes(@TempDir Path dir) {
    List<NodeSpec> members = FreePorts.sharedPortMembers();
    List<KvNode> nodes = new ArrayList<>();
    KvNode joined = null;
    try {
      for (NodeSpec m : members) {
        nodes.add(KvNode.start(m.id(), members, dir.resolve("n" + nodes.size()), "http"));
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream()
          .anyMatch(n -> n.raft().status().role() == Role.LEADER));
      KvNode follower = nodes.stream().filter(n -> n.raft().status().role() != Role.LEADER).findFirst().orElseThrow();
      assertEquals(200, send(FOLLOWING, "PUT", base(follower) + "/kv/before", "join").statusCode());

      NodeSpec n4 = NodeSpec.parseSharedPort("127.0.0.1:" + FreePorts.take(1).get(0));
      joined = KvNode.start(n4.id(), List.of(n4), dir.resolve("n4"), "http", 0, 0, NodeSecurity.NONE, KvNode.Seam.NONE,
          URI.create(base(follower)));
      KvNode newcomer = joined;
      await("n4 joins as a voter").atMost(Duration.ofSeconds(60)).until(newcomer::joined);
      ClusterConfig config = newcomer.raft().status().config();
      assertTrue(config != null && config.voters().contains(n4.id()), String.valueOf(config));
      await("n4 holds the log").atMost(Duration.ofSeconds(30))
          .until(() -> newcomer.raft().status().lastApplied() >= 2);

      KvNode leader = nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElseThrow();
      KvNode stopped = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
      stopped.close();
      nodes.remove(stopped);
      // Three of four voters are left: the write needs n4's acknowledgement to commit.
      HttpResponse<String> after = send(FOLLOWING, "PUT", base(leader) + "/kv/after", "join");
      assertEquals(200, after.statusCode(), after.body());
      long index = json(after).get("index").asLong();
      await("n4 applies the write it helped commit").atMost(Duration.ofSeconds(30))
          .until(() -> newcomer.raft().status().lastApplied() >= index);
    } finally {
      if (joined != null) {
        joined.close();
      }
      nodes.forEach(KvNode::close);
    }
  }

  private static String base(KvNode node) {
    return "http://127.0.0.1:" + node.httpAddress().getPort();
  }
}
