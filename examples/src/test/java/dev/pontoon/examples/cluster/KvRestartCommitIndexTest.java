package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.DIRECT;
import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.raft.Role;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit index kept with the hard state, seen from the KV API: a node restarted while the rest
 * of its cluster is down shows on {@code GET /status} and {@code GET /log} the commit index it
 * had before it stopped, and applies its log up to it, before it hears from any leader. In-process
 * nodes on Netty over loopback with RocksDB logs under a temporary directory.
 */
class KvRestartCommitIndexTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  @TempDir
  Path dir;
  private final List<KvNode> running = new ArrayList<>();
  private List<NodeSpec> members;

  @AfterEach
  void stopAll() {
    running.forEach(KvNode::close);
  }

  private KvNode start(NodeSpec m) {
    KvNode node = KvNode.start(m.id(), members, dir.resolve(m.id().value()), "netty", 0);
    running.add(node);
    return node;
  }

  private void stop(KvNode node) {
    running.remove(node);
    node.close();
  }

  private static String base(KvNode node) {
    return "http://127.0.0.1:" + node.httpAddress().getPort();
  }

  private static JsonNode get(KvNode node, String path) {
    HttpResponse<String> answer = send(DIRECT, "GET", base(node) + path, null);
    assertEquals(200, answer.statusCode(), answer.body());
    return json(answer);
  }

  @Test
  void aNodeRestartedAloneShowsItsPreCrashCommitIndexAndAppliesUpToIt() {
    members = FreePorts.members();
    members.forEach(this::start);
    List<KvNode> nodes = List.copyOf(running);
    await().atMost(PATIENCE).until(() -> nodes.stream().anyMatch(n -> n.raft().status().role() == Role.LEADER));
    for (int i = 0; i < 12; i++) {
      HttpResponse<String> put = send(FOLLOWING, "PUT", base(nodes.get(0)) + "/kv/k" + i, "v" + i);
      assertEquals(200, put.statusCode(), put.body());
    }
    KvNode follower = nodes.stream().filter(n -> n.raft().status().role() != Role.LEADER).findFirst().orElseThrow();
    // The followers learn the last commit index with the next heartbeat, and apply up to it.
    await().atMost(PATIENCE).until(() -> {
      JsonNode status = get(follower, "/status");
      long leaderCommit = nodes.stream().mapToLong(n -> n.raft().status().commitIndex()).max().orElseThrow();
      return status.get("commit-index").asLong() == leaderCommit && status.get("last-applied").asLong() == leaderCommit;
    });
    long before = get(follower, "/status").get("commit-index").asLong();
    assertTrue(before >= 13, "a no-op and 12 writes are committed: " + before);

    // The follower stops first, then the others: it restarts alone, with no leader to hear from.
    NodeSpec spec = members.stream().filter(m -> m.id().equals(follower.raft().id())).findFirst().orElseThrow();
    stop(follower);
    List.copyOf(running).forEach(this::stop);
    KvNode restarted = start(spec);

    // A request slower than the client's 10 s timeout on a loaded machine is asked again.
    await().atMost(PATIENCE).ignoreExceptionsInstanceOf(java.io.UncheckedIOException.class).untilAsserted(() -> {
      JsonNode status = get(restarted, "/status");
      JsonNode log = get(restarted, "/log");
      assertAll(
          () -> assertEquals(before, status.get("commit-index").asLong(), "the commit index it had before"),
          () -> assertEquals(before, status.get("last-applied").asLong(), "applied up to it without a leader"),
          () -> assertEquals(before, log.get("commit-index").asLong()),
          () -> assertEquals(before, log.get("last-applied").asLong()),
          () -> assertTrue(status.get("leader").isNull(), "no leader was heard from: " + status));
    });
  }
}
