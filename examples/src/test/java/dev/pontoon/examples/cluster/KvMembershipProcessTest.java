package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.putRetrying;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static dev.pontoon.examples.cluster.HttpJson.status;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes on a real cluster: {@code pontoon-kv node} processes with the Netty transport
 * and RocksDB. A SIGKILLed member is replaced by a new one that joins with {@code --join} while a
 * client writes, and the cluster then survives a second kill; a member added to a cluster whose log
 * has been compacted catches up through a snapshot and is then promoted to voter.
 */
class KvMembershipProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  @TempDir
  Path dir;

  /** A fourth member on fresh loopback ports. */
  private static NodeSpec newMember(String id) {
    List<Integer> ports = FreePorts.take(2);
    return NodeSpec.parse(id + "=127.0.0.1:" + ports.get(0) + "/127.0.0.1:" + ports.get(1));
  }

  /** The configuration as {@code m} shows it, or null when it does not answer. */
  private static JsonNode configuration(NodeSpec m) {
    JsonNode status = status(NodeProcesses.base(m));
    return status == null ? null : status.get("configuration");
  }

  private static boolean votesIn(JsonNode configuration, NodeSpec m) {
    if (configuration == null || configuration.get("joint").asBoolean()) {
      return false;
    }
    return texts(configuration.get("voters")).contains(m.id().value());
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new java.util.ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  /** Writes {@code key} through {@code m} (following redirects); whether it was acknowledged. */
  private static boolean put(NodeSpec m, String key, String value) {
    try {
      return send(FOLLOWING, "PUT", NodeProcesses.base(m) + "/kv/" + key, value).statusCode() == 200;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aKilledMemberIsReplacedWhileClientsWriteAndTheClusterSurvivesASecondKill() throws Exception {
    try (NodeProcesses nodes = new NodeProcesses(dir)) {
      nodes.startAll();
      await().atMost(WAIT).until(() -> nodes.agreedLeader() != null);
      List<NodeSpec> live = new CopyOnWriteArrayList<>(nodes.members);
      List<String> acked = new CopyOnWriteArrayList<>();
      AtomicBoolean writing = new AtomicBoolean(true);
      Thread writer = new Thread(() -> {
        for (int i = 0; writing.get(); i++) {
          NodeSpec via = live.get(i % live.size());
          if (put(via, "w" + i, "v" + i)) {
            acked.add("w" + i);
          }
        }
      }, "membership-test-writer");
      writer.start();
      try {
        // Kill a follower, then replace it with n4, which joins through a surviving member.
        NodeSpec leader = nodes.agreedLeader();
        NodeSpec killed = nodes.others(leader).get(0);
        nodes.kill(killed);
        live.remove(killed);
        NodeSpec n4 = newMember("n4");
        nodes.startJoining(n4, NodeProcesses.base(leader));
        await("n4 joins as a voter").atMost(WAIT).until(() -> votesIn(configuration(leader), n4)
            && votesIn(configuration(n4), n4));
        HttpResponse<String> removed = send(FOLLOWING, "DELETE", NodeProcesses.base(leader) + "/admin/members/"
            + killed.id(), null);
        assertEquals(200, removed.statusCode(), removed.body());
        assertEquals(List.of(leader.id().value(), nodes.others(leader).get(1).id().value(), "n4").stream().sorted()
            .toList(), texts(json(removed).get("configuration").get("voters")));
        live.add(n4);
        int beforeSecondKill = acked.size();
        await("writes go on after the replacement").atMost(WAIT).until(() -> acked.size() > beforeSecondKill + 5);

        // A second kill: of the original three only one is left, with n4 a majority of two of three.
        NodeSpec second = nodes.others(leader).get(1).equals(killed) ? nodes.others(leader).get(0)
            : nodes.others(leader).get(1);
        nodes.kill(leader);
        live.remove(leader);
        int beforeLeaderKill = acked.size();
        await("writes go on after killing the leader too").atMost(WAIT).until(() -> acked.size() > beforeLeaderKill + 5);
        assertTrue(live.contains(second) && live.contains(n4), live.toString());
      } finally {
        writing.set(false);
        writer.join(30_000);
      }
      String last = acked.get(acked.size() - 1);
      HttpResponse<String> read = send(FOLLOWING, "GET", NodeProcesses.base(live.get(0)) + "/kv/" + last, null);
      assertEquals(200, read.statusCode(), read.body());
      assertEquals("v" + last.substring(1), json(read).get("value").asText());
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void aMemberAddedToACompactedLogCatchesUpThroughASnapshotAndIsThenPromoted() throws Exception {
    try (NodeProcesses nodes = new NodeProcesses(dir)) {
      nodes.withNodeFlags("--snapshot-every", "50", "--log-retain", "0");
      nodes.startAll();
      await().atMost(WAIT).until(() -> nodes.agreedLeader() != null);
      NodeSpec leader = nodes.agreedLeader();
      // Retried while the cluster is between leaders: a spontaneous election is not what this is about.
      for (int i = 0; i < 300; i++) {
        HttpResponse<String> put = putRetrying(NodeProcesses.base(leader) + "/kv/k" + i, "v" + i);
        assertEquals(200, put.statusCode(), "write " + i + ": " + put.body());
      }
      await("the leader compacts its log").atMost(WAIT).until(() -> {
        JsonNode status = status(NodeProcesses.base(leader));
        return status != null && status.get("snapshot-index").asLong() >= 250;
      });

      NodeSpec n4 = newMember("n4");
      nodes.startJoining(n4, NodeProcesses.base(nodes.others(leader).get(0)));
      await("n4 is promoted once caught up").atMost(WAIT).until(() -> votesIn(configuration(leader), n4));
      await("n4 applied everything").atMost(WAIT).until(() -> {
        JsonNode status = status(NodeProcesses.base(n4));
        return status != null && status.get("last-applied").asLong() >= 300;
      });
      JsonNode n4Status = status(NodeProcesses.base(n4));
      assertTrue(n4Status.get("snapshot-index").asLong() >= 250, "n4 installed a snapshot: " + n4Status);
      JsonNode n4Log = json(send(FOLLOWING, "GET", NodeProcesses.base(n4) + "/log?from=1", null));
      assertTrue(n4Log.get("first-index").asLong() > 1, "n4 never held the compacted entries: " + n4Log);
      assertEquals("follower", n4Status.get("role").asText());
      // n4 counts now: with it, a write still commits after one of the original three dies.
      NodeSpec dead = nodes.others(leader).get(0);
      nodes.kill(dead);
      assertTrue(put(leader, "after", "promotion"));

      // A restart of n4 on its data ignores --join (here a dead member, whose /status nobody answers).
      nodes.kill(n4);
      nodes.startJoining(n4, NodeProcesses.base(dead));
      await("n4 restarts on its data and catches up").atMost(WAIT).until(() -> {
        JsonNode status = status(NodeProcesses.base(n4));
        return status != null && status.get("last-applied").asLong() >= 301 && votesIn(status.get("configuration"), n4);
      });
    }
  }
}
