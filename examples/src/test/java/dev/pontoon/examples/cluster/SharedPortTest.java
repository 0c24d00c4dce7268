package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.DIRECT;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On {@code --transport http} one port serves the KV API and {@code /raft/*}, each with its own
 * body limit: a KV request keeps the API's limit, while a Raft request may carry far more (a
 * snapshot travels in one request).
 */
class SharedPortTest {
  @Test
  void kvAndRaftShareThePortEachWithItsOwnBodyLimit(@TempDir Path dir) {
    List<NodeSpec> members = FreePorts.sharedPortMembers();
    NodeSpec self = members.get(0);
    try (KvNode node = KvNode.start(self.id(), members, dir, "http", 0)) {
      String base = "http://" + NodeSpec.hostPort(node.httpAddress());
      assertEquals(self.id().value(), json(send(DIRECT, "GET", base + "/status", null)).get("id").asText());

      String megabyte = "x".repeat(1024 * 1024);
      HttpResponse<String> kv = send(DIRECT, "PUT", base + "/kv/big", megabyte);
      assertEquals(413, kv.statusCode());
      assertTrue(json(kv).get("error").asText().startsWith("request body exceeds"), kv.body());

      // A megabyte of Raft request passes the limit and reaches the transport, which refuses the sender.
      HttpResponse<String> raft = send(DIRECT, "POST", base + "/raft/append-entries", "{\"term\":1,\"leader-id\":"
          + "\"10.9.9.9:1\",\"prev-log-index\":0,\"prev-log-term\":0,\"entries\":[{\"term\":1,\"command\":\"PUT k "
          + megabyte + "\"}],\"leader-commit\":0}");
      assertEquals(403, raft.statusCode(), raft.body());
      assertTrue(json(raft).get("error").asText().startsWith("10.9.9.9:1 is not a member"), raft.body());
    }
  }
}
