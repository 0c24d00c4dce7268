package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.DIRECT;
import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The KV node on either Raft transport (the SPI is pluggable), and the answer of a node that
 * knows no leader: 503 with Retry-After.
 */
class KvFailoverTest {
  @TempDir
  Path dir;
  private final List<KvNode> nodes = new ArrayList<>();

  @AfterEach
  void stop() {
    nodes.forEach(KvNode::close);
  }

  private void start(String transport) {
    List<NodeSpec> members = FreePorts.members(transport);
    for (NodeSpec m : members) {
      nodes.add(KvNode.start(m.id(), members, dir.resolve(m.id().value()), transport));
    }
    awaitAgreedLeader();
  }

  /**
   * Waits until a leader exists and every running node knows it: a follower that has not yet
   * heard from the new leader rightly answers 503, which is not what these tests are about.
   */
  private void awaitAgreedLeader() {
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().anyMatch(n -> n.raft().status().role() == Role.LEADER)
        && nodes.stream().map(n -> n.raft().status().leader()).distinct().count() == 1
        && nodes.get(0).raft().status().leader() != null);
  }

  private static String base(KvNode node) {
    return "http://127.0.0.1:" + node.httpAddress().getPort();
  }

  @ParameterizedTest
  @ValueSource(strings = {"netty", "http"})
  void writesAndReadsWorkOnEitherTransportAndSurviveTheLossOfTheLeader(String transport) {
    start(transport);
    assertEquals(200, send(FOLLOWING, "PUT", base(nodes.get(0)) + "/kv/k", "v1").statusCode());
    KvNode leader = nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElseThrow();
    nodes.remove(leader);
    leader.close();
    awaitAgreedLeader();
    HttpResponse<String> get = send(FOLLOWING, "GET", base(nodes.get(0)) + "/kv/k", null);
    assertEquals(200, get.statusCode(), get.body());
    assertEquals("v1", json(get).get("value").asText());
    assertEquals(200, send(FOLLOWING, "PUT", base(nodes.get(1)) + "/kv/k", "v2").statusCode());
  }

  @Test
  void aNodeThatKnowsNoLeaderAnswers503WithRetryAfter() {
    start("netty");
    KvNode survivor = nodes.remove(0);
    nodes.forEach(KvNode::close);
    nodes.clear();
    nodes.add(survivor);
    // Alone, the survivor cannot win an election, and a leader steps down without a quorum (CheckQuorum).
    await().atMost(Duration.ofSeconds(30)).until(() -> survivor.raft().status().leader() == null);
    HttpResponse<String> put = send(DIRECT, "PUT", base(survivor) + "/kv/k", "v");
    assertEquals(503, put.statusCode());
    assertEquals("1", put.headers().firstValue("Retry-After").orElseThrow());
    assertEquals("no leader known; retry later", json(put).get("error").asText());
  }
}
