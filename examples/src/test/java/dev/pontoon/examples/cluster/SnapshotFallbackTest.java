package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.putRetrying;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose newest snapshot file is damaged on disk falls back to the previous snapshot and
 * the log the catch-up margin kept after it, and starts with its whole state: the file store's
 * fallback and {@code --log-retain} together, on a real KV cluster (Netty, RocksDB, files).
 */
class SnapshotFallbackTest {
  private static final long EVERY = 20;
  private static final long RETAIN = 60;
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  @TempDir
  Path dir;
  private final List<KvNode> nodes = new ArrayList<>();
  private final List<NodeSpec> members = FreePorts.members();

  @AfterEach
  void stop() {
    nodes.forEach(KvNode::close);
  }

  private KvNode start(NodeSpec m) {
    return start(m, EVERY);
  }

  private KvNode start(NodeSpec m, long snapshotEvery) {
    return KvNode.start(m.id(), members, dir.resolve(m.id().value()), "netty", snapshotEvery, RETAIN,
        NodeSecurity.NONE, KvNode.Seam.NONE);
  }

  /** The index a snapshot file holds, from its name ({@code snapshot-<index>-<term>.snap}). */
  private static long indexOf(Path snapshotFile) {
    return Long.parseLong(snapshotFile.getFileName().toString().split("-")[1]);
  }

  @Test
  void damagedNewestSnapshotFallsBackToThePreviousOneAndTheRetainedLog() throws IOException {
    members.forEach(m -> nodes.add(start(m)));
    await().atMost(PATIENCE).until(() -> nodes.stream().anyMatch(n -> n.raft().status().role() == Role.LEADER));
    KvNode leader = nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElseThrow();
    // Retried while the cluster is between leaders: a spontaneous election is not what this is about.
    for (int i = 0; i < 100; i++) {
      assertEquals(200, putRetrying("http://127.0.0.1:" + leader.httpAddress().getPort() + "/kv/k" + i, "v" + i)
          .statusCode());
    }
    KvNode victim = leader;
    Path snapshots = dir.resolve(victim.raft().id().value()).resolve("snapshots");
    await().atMost(PATIENCE).until(() -> snapshotFiles(snapshots).size() == 2);
    long applied = victim.raft().status().lastApplied();
    nodes.remove(victim);
    victim.close();
    List<Path> files = snapshotFiles(snapshots);
    Path newest = files.get(files.size() - 1);
    long previousIndex = indexOf(files.get(files.size() - 2));
    byte[] bytes = Files.readAllBytes(newest);
    bytes[bytes.length / 2] ^= 0x40;
    Files.write(newest, bytes);

    NodeSpec spec = members.stream().filter(m -> m.id().equals(victim.raft().id())).findFirst().orElseThrow();
    // No new snapshot after the restart: a restarted node applies its log up to the saved commit
    // index at once, and one taken then would hide which snapshot it started from.
    KvNode restarted = start(spec, 1_000_000);
    nodes.add(restarted);

    assertTrue(Files.exists(newest.resolveSibling(newest.getFileName() + ".corrupt")), "moved aside");
    assertEquals(previousIndex, restarted.raft().status().snapshotIndex(), "started from the previous snapshot");
    await().atMost(PATIENCE).until(() -> restarted.raft().status().lastApplied() >= applied);
  }

  /**
   * {@code GET /log} starts at the snapshot point by default (the HTTP KV specification: "entries
   * from snapshot point onwards"); entries the catch-up margin keeps before it are shown when asked.
   */
  @Test
  void logPageStartsAtTheSnapshotPointAndShowsRetainedEntriesOnRequest() {
    members.forEach(m -> nodes.add(start(m)));
    await().atMost(PATIENCE).until(() -> nodes.stream().anyMatch(n -> n.raft().status().role() == Role.LEADER));
    KvNode leader = nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElseThrow();
    String base = "http://127.0.0.1:" + leader.httpAddress().getPort();
    for (int i = 0; i < 100; i++) {
      assertEquals(200, putRetrying(base + "/kv/k" + i, "v" + i).statusCode());
    }
    await().atMost(PATIENCE).until(() -> leader.raft().status().snapshotIndex() >= 2 * EVERY);

    var page = HttpJson.json(send(HttpJson.DIRECT, "GET", base + "/log", null));
    long snapshot = page.get("snapshot-index").asLong();
    long first = page.get("first-index").asLong();
    assertTrue(first < snapshot, "the margin keeps entries before the snapshot: " + page);
    assertEquals(snapshot + 1, page.get("entries").get(0).get("index").asLong(), "starts at the snapshot point");
    var retained = HttpJson.json(send(HttpJson.DIRECT, "GET", base + "/log?from=" + first, null));
    assertEquals(first, retained.get("entries").get(0).get("index").asLong(), "retained entries on request");
  }

  private static List<Path> snapshotFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".snap")).sorted().toList();
    }
  }
}
