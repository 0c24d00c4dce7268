package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.DIRECT;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.putRetrying;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log compaction (§7) on a real 3-node KV cluster: in-process nodes on Netty over loopback,
 * RocksDB logs and file snapshots under a temporary directory, each snapshotting every
 * {@value #EVERY} applied entries as {@code pontoon-kv node --snapshot-every 20} does.
 */
class KvSnapshotClusterTest {
  private static final long EVERY = 20;
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  @TempDir
  Path dir;
  private final List<KvNode> nodes = new ArrayList<>();
  private List<NodeSpec> members;

  @BeforeEach
  void startCluster() {
    members = FreePorts.members();
    members.forEach(m -> nodes.add(start(m)));
    awaitAgreedLeader();
  }

  @AfterEach
  void stopCluster() {
    nodes.forEach(KvNode::close);
  }

  private KvNode start(NodeSpec m) {
    return KvNode.start(m.id(), members, dir.resolve(m.id().value()), "netty", EVERY);
  }

  private void awaitAgreedLeader() {
    await().atMost(PATIENCE).until(() -> nodes.stream().anyMatch(n -> n.raft().status().role() == Role.LEADER)
        && nodes.stream().map(n -> n.raft().status().leader()).distinct().count() == 1
        && nodes.get(0).raft().status().leader() != null);
  }

  private KvNode leader() {
    return nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElseThrow();
  }

  private KvNode aFollower() {
    return nodes.stream().filter(n -> n.raft().status().role() != Role.LEADER).findFirst().orElseThrow();
  }

  private static String base(KvNode node) {
    return "http://127.0.0.1:" + node.httpAddress().getPort();
  }

  private static JsonNode get(KvNode node, String path) {
    HttpResponse<String> answer = send(DIRECT, "GET", base(node) + path, null);
    assertEquals(200, answer.statusCode(), answer.body());
    return json(answer);
  }

  /** Retried while the cluster is between leaders: a spontaneous election is not what these tests are about. */
  private void write(int count, String round) {
    for (int i = 0; i < count; i++) {
      HttpResponse<String> put = putRetrying(base(nodes.get(0)) + "/kv/k" + (i % 30), round + i);
      assertEquals(200, put.statusCode(), put.body());
    }
  }

  /** Makes {@code node} the leader, so that it answers reads from its own state machine. */
  private void lead(KvNode node) {
    awaitCaughtUp(node);
    await().atMost(PATIENCE).ignoreExceptions().until(() -> {
      if (node.raft().status().role() != Role.LEADER) {
        leader().raft().transferLeadership(node.raft().id()).get(5, TimeUnit.SECONDS);
      }
      return node.raft().status().role() == Role.LEADER;
    });
    awaitAgreedLeader();
  }

  private void awaitCaughtUp(KvNode node) {
    await().atMost(PATIENCE).ignoreExceptions()
        .until(() -> node.raft().status().lastApplied() >= leader().raft().status().commitIndex());
  }

  /** The latest value of k0..k29 after {@code count} writes of {@code round}, read from {@code node} itself. */
  private static void assertServesLatest(KvNode node, int count, String round) {
    for (int key = 0; key < 30; key++) {
      int last = key + ((count - 1 - key) / 30) * 30;
      HttpResponse<String> answer = send(DIRECT, "GET", base(node) + "/kv/k" + key, null);
      assertEquals(200, answer.statusCode(), answer.body());
      assertEquals(round + last, json(answer).get("value").asText(), "k" + key);
    }
  }

  @Test
  void everyNodeCompactsItsLogAndLogStartsRightAfterTheSnapshot() {
    write(100, "a");
    for (KvNode node : nodes) {
      await().atMost(PATIENCE).untilAsserted(() -> {
        JsonNode status = get(node, "/status");
        JsonNode log = get(node, "/log");
        long snapshot = status.get("snapshot-index").asLong();
        assertTrue(snapshot >= EVERY, node.raft().id() + " snapshot-index " + snapshot);
        assertEquals(log.get("snapshot-index").asLong() + 1, log.get("first-index").asLong(), log.toString());
      });
      JsonNode log = get(node, "/log?from=1");
      long first = log.get("first-index").asLong();
      assertTrue(first > EVERY, "entries up to the snapshot are gone: " + log);
      JsonNode entries = log.get("entries");
      if (!entries.isEmpty()) {
        assertEquals(first, entries.get(0).get("index").asLong(), "a page asked from 1 starts at the first entry held");
      }
      assertEquals(log.get("last-index").asLong() - first + 1, entries.size(), log.toString());
    }
  }

  @Test
  void aNodeLeftBehindWhileTheOthersCompactCatchesUpFromTheLeadersSnapshot() {
    write(10, "a");
    KvNode behind = aFollower();
    NodeSpec spec = members.stream().filter(m -> m.id().equals(behind.raft().id())).findFirst().orElseThrow();
    awaitCaughtUp(behind);
    long behindLast = behind.raft().status().lastLogIndex();
    nodes.remove(behind);
    behind.close();
    write(100, "b");
    await().atMost(PATIENCE).ignoreExceptions().until(() -> get(leader(), "/log").get("first-index").asLong() > behindLast + 1);

    KvNode restarted = start(spec);
    nodes.add(restarted);
    long leaderSnapshot = leader().raft().status().snapshotIndex();
    await().atMost(PATIENCE).until(() -> restarted.raft().status().snapshotIndex() >= leaderSnapshot);
    lead(restarted);
    assertServesLatest(restarted, 100, "b");
  }

  @Test
  void aNodeRestartedOnItsDirectoryRestoresItsSnapshotAndReappliesTheRest() {
    write(55, "c");
    KvNode follower = aFollower();
    NodeId id = follower.raft().id();
    await().atMost(PATIENCE).until(() -> follower.raft().status().snapshotIndex() > 0);
    awaitCaughtUp(follower);
    if (follower.raft().status().snapshotIndex() == follower.raft().status().lastApplied()) {
      // The snapshot happened to cover everything: one more entry leaves something to re-apply.
      assertEquals(200, putRetrying(base(leader()) + "/kv/extra", "x").statusCode());
      awaitCaughtUp(follower);
    }
    long snapshot = follower.raft().status().snapshotIndex();
    long applied = follower.raft().status().lastApplied();
    assertTrue(applied > snapshot, "entries after the snapshot (" + snapshot + ") up to " + applied);
    nodes.remove(follower);
    follower.close();

    KvNode restarted = start(members.stream().filter(m -> m.id().equals(id)).findFirst().orElseThrow());
    nodes.add(restarted);
    assertTrue(restarted.raft().status().snapshotIndex() >= snapshot, "restored its own snapshot");
    await().atMost(PATIENCE).until(() -> restarted.raft().status().lastApplied() >= applied);
    lead(restarted);
    assertServesLatest(restarted, 55, "c");
  }
}
