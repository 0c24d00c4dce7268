package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.DIRECT;
import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API's contract on a real 3-node cluster: in-process {@code RaftServer}s on the Netty
 * transport over loopback, logs in RocksDB under a temporary directory, HTTP on loopback.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvHttpClusterTest {
  private final List<KvNode> nodes = new ArrayList<>();
  private List<NodeSpec> members;

  @BeforeAll
  void startCluster(@TempDir Path dir) {
    members = FreePorts.members();
    for (NodeSpec m : members) {
      nodes.add(KvNode.start(m.id(), members, dir.resolve(m.id().value()), "netty"));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> leader() != null);
  }

  @AfterAll
  void stopCluster() {
    nodes.forEach(KvNode::close);
  }

  private KvNode leader() {
    return nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElse(null);
  }

  private KvNode follower() {
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().filter(n -> n.raft().status().role() == Role.FOLLOWER)
        .anyMatch(n -> n.raft().status().leader() != null));
    return nodes.stream().filter(n -> n.raft().status().role() == Role.FOLLOWER && n.raft().status().leader() != null)
        .findFirst().orElseThrow();
  }

  private static String base(KvNode node) {
    return "http://127.0.0.1:" + node.httpAddress().getPort();
  }

  @Test
  void putThroughAFollowerIsRedirectedAndAnswers200OnceAppliedOnAMajority() {
    HttpResponse<String> put = send(FOLLOWING, "PUT", base(follower()) + "/kv/color", "blue");
    assertEquals(200, put.statusCode(), put.body());
    long index = json(put).get("index").asLong();
    long applied = nodes.stream().filter(n -> n.raft().status().lastApplied() >= index).count();
    assertTrue(applied >= 1, "applied on the leader before the answer");
    assertTrue(nodes.stream().filter(n -> n.raft().status().commitIndex() >= index).count() >= 1);
    for (KvNode node : nodes) {
      HttpResponse<String> get = send(FOLLOWING, "GET", base(node) + "/kv/color", null);
      assertEquals(200, get.statusCode());
      assertEquals("blue", json(get).get("value").asText(), "a linearizable read sees the acknowledged write");
    }
  }

  @Test
  void followerAnswers307WithTheLeadersHttpAddress() {
    KvNode follower = follower();
    NodeId leader = follower.raft().status().leader();
    String leaderHttp = members.stream().filter(m -> m.id().equals(leader)).findFirst().orElseThrow().http().getPort() + "";
    HttpResponse<String> get = send(DIRECT, "GET", base(follower) + "/kv/anything", null);
    assertEquals(307, get.statusCode());
    assertEquals("http://127.0.0.1:" + leaderHttp + "/kv/anything", get.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void casAnswers200Or409AndDeleteAnd404FollowTheCommittedState() {
    String url = base(follower()) + "/kv/counter";
    assertEquals(200, send(FOLLOWING, "PUT", url, "1").statusCode());
    HttpResponse<String> conflict = send(FOLLOWING, "POST", url + "/cas", "{\"from\":\"7\",\"to\":\"2\"}");
    assertEquals(409, conflict.statusCode());
    assertEquals("1", json(conflict).get("current").asText());
    assertEquals(200, send(FOLLOWING, "POST", url + "/cas", "{\"from\":\"1\",\"to\":\"2\"}").statusCode());
    assertEquals("2", json(send(FOLLOWING, "GET", url, null)).get("value").asText());
    assertEquals(200, send(FOLLOWING, "DELETE", url, null).statusCode());
    assertEquals(404, send(FOLLOWING, "GET", url, null).statusCode());
  }

  @Test
  void badRequestsGet4xxWithAJsonError() {
    String leader = base(leader());
    Map<String, Integer> cases = Map.of(
        "POST /kv/k/cas {oops", 400, "PUT /kv/k ", 400, "GET /nowhere ", 404, "PATCH /kv/k x", 405,
        "PUT /kv/k " + "x".repeat(70_000), 413, "GET /log?from=x ", 400);
    cases.forEach((request, expected) -> {
      String[] parts = request.split(" ", 3);
      HttpResponse<String> answer = send(DIRECT, parts[0], leader + parts[1], parts[2].isEmpty() ? null : parts[2]);
      assertEquals(expected, answer.statusCode(), request);
      assertTrue(json(answer).get("error").isTextual(), answer.body());
    });
  }

  @Test
  void statusAndLogShowTheNamesToolsRead() {
    assertEquals(200, send(FOLLOWING, "PUT", base(leader()) + "/kv/seen", "yes").statusCode());
    JsonNode status = json(send(DIRECT, "GET", base(leader()) + "/status", null));
    for (String field : List.of("id", "role", "term", "leader", "commit-index", "last-applied", "snapshot-index", "members")) {
      assertTrue(status.has(field), field);
    }
    assertEquals("leader", status.get("role").asText());
    assertEquals(3, status.get("members").size());
    status.get("members").forEach(m -> assertEquals("voter", m.get("role").asText()));
    assertTrue(status.get("members").findValues("lag").size() == 2, "lag of each follower on the leader");
    JsonNode log = json(send(DIRECT, "GET", base(leader()) + "/log", null));
    assertTrue(log.get("commit-index").asLong() >= 1);
    assertTrue(log.get("entries").findValuesAsText("command").contains("PUT seen yes"));
  }
}
