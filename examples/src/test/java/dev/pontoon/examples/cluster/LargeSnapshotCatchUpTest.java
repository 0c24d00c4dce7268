package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.DIRECT;
import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower stopped while the others take and compact a large state catches up through a
 * streamed snapshot, with its heap capped at 256 MiB, and ends with the same state as the others.
 * Real processes ({@code pontoon-kv node}, Netty, RocksDB, file snapshots); every node answers
 * {@code GET /kv/...} from its own state ({@link LocalReadsKvNode}), so that each node's state
 * can be compared.
 *
 * <p>The default run writes 2,000 values of 10 KiB (20 MiB); the {@code soak} profile
 * ({@code mvn -Psoak verify}) writes 20,000 (200 MiB), close to the capped follower's heap, so
 * that a snapshot held in memory anywhere on its way would not fit.
 */
class LargeSnapshotCatchUpTest {
  private static final int VALUE_BYTES = 10 * 1024;
  @TempDir
  Path dir;

  @Test
  void aFollowerBehindCompactionCatchesUpThroughAStreamedSnapshotWithASmallHeap() throws Exception {
    catchUp(2_000, 500, 50, Duration.ofMinutes(3));
  }

  @Test
  @Tag("soak")
  void aFollowerCatchesUpOnATwoHundredMebibyteStateWithA256MebibyteHeap() throws Exception {
    catchUp(20_000, 2_000, 200, Duration.ofMinutes(15));
  }

  private void catchUp(int values, int snapshotEvery, int logRetain, Duration patience) throws Exception {
    try (NodeProcesses cluster = new NodeProcesses(dir, LocalReadsKvNode.class)) {
      cluster.withJvmFlags("-Dorg.slf4j.simpleLogger.log.dev.pontoon.raft.engine.runtime=info");
      cluster.withNodeFlags("--snapshot-every", Integer.toString(snapshotEvery), "--log-retain",
          Integer.toString(logRetain));
      cluster.members.forEach(m -> cluster.withHeap(m, "1g"));
      cluster.startAll();
      NodeSpec leader = await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> namedLeader(cluster),
          l -> l != null);
      NodeSpec behind = cluster.others(leader).get(0);
      long behindLast = HttpJson.status(NodeProcesses.base(behind)).get("last-log-index").asLong();
      cluster.kill(behind);

      write(cluster, leader, values, patience);
      long leaderSnapshot = await().atMost(patience).until(
          () -> HttpJson.status(NodeProcesses.base(leader)).get("snapshot-index").asLong(),
          index -> index >= values / 2);
      long leaderFirst = json(send(DIRECT, "GET", NodeProcesses.base(leader) + "/log", null)).get("first-index").asLong();
      assertTrue(leaderFirst > behindLast + 1, "the leader compacted past what the follower holds (" + behindLast
          + "): only a snapshot can bring it back; the leader's log starts at " + leaderFirst);

      cluster.withHeap(behind, "256m");
      cluster.start(behind);
      try {
        await().atMost(patience).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
          JsonNode status = HttpJson.status(NodeProcesses.base(behind));
          long commit = HttpJson.status(NodeProcesses.base(namedLeader(cluster))).get("commit-index").asLong();
          return status.get("snapshot-index").asLong() >= leaderSnapshot
              && status.get("last-applied").asLong() >= commit;
        });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("the follower did not catch up; its log:\n" + tail(behind), e);
      }
      String log = Files.readString(dir.resolve(behind.id() + ".log"), StandardCharsets.UTF_8);
      assertTrue(log.contains("received snapshot at"), "caught up through a streamed snapshot:\n" + tail(behind));
      assertTrue(!log.contains("OutOfMemoryError") && !log.contains("fatal"), tail(behind));

      String expected = digest(cluster, leader, values);
      for (NodeSpec m : cluster.others(leader)) {
        assertEquals(expected, digest(cluster, m, values), m.id() + " holds another state than the leader");
      }
    }
  }

  /** The last lines of {@code m}'s log. */
  private String tail(NodeSpec m) throws IOException {
    List<String> lines = Files.readAllLines(dir.resolve(m.id() + ".log"), StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  /**
   * The leader every member names ({@link LocalReadsKvNode} makes every node call itself leader,
   * so that it serves reads itself: the {@code leader} field tells the real one), or null.
   */
  private static NodeSpec namedLeader(NodeProcesses cluster) {
    java.util.Set<String> named = new java.util.HashSet<>();
    for (NodeSpec m : cluster.members) {
      JsonNode status = HttpJson.status(NodeProcesses.base(m));
      if (status == null || status.get("leader").isNull()) {
        return null;
      }
      named.add(status.get("leader").asText());
    }
    return named.size() == 1 ? cluster.byId(named.iterator().next()) : null;
  }

  /** Writes {@code values} values of {@link #VALUE_BYTES}, 4 at a time, through the leader. */
  private static void write(NodeProcesses cluster, NodeSpec leader, int values, Duration patience) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> writes = IntStream.range(0, values).mapToObj(i -> pool.submit(() -> {
        await().atMost(patience).ignoreExceptions().until(() -> {
          HttpResponse<String> put = send(FOLLOWING, "PUT", NodeProcesses.base(leader) + "/kv/k" + i, value(i));
          return put.statusCode() == 200;
        });
      })).collect(java.util.stream.Collectors.toList());
      for (Future<?> write : writes) {
        write.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The value of key {@code k<i>}: {@link #VALUE_BYTES} letters from a generator seeded with {@code i}. */
  private static String value(int i) {
    SplittableRandom random = new SplittableRandom(i);
    StringBuilder text = new StringBuilder(VALUE_BYTES);
    for (int c = 0; c < VALUE_BYTES; c++) {
      text.append((char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }

  /** SHA-256 of every key's value as {@code m} itself holds it, in key order; a missing key counts as such. */
  private static String digest(NodeProcesses cluster, NodeSpec m, int values) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (int i = 0; i < values; i++) {
      HttpResponse<String> answer = send(DIRECT, "GET", NodeProcesses.base(m) + "/kv/k" + i, null);
      String text = answer.statusCode() == 200 ? json(answer).get("value").asText() : "missing " + answer.statusCode();
      sha.update(("k" + i + "=" + text + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
