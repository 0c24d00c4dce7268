package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.putRetrying;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static dev.pontoon.examples.cluster.HttpJson.status;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.raft.storage.SmallFilesystem;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes on a disk that really fills: three {@code pontoon-kv node} processes, n3's data
 * directory on a small filesystem of its own ({@link SmallFilesystem}; skipped where none can be
 * mounted), on RocksDB (the segment store in the soak profile). Writes go on until n3's disk is full: n3 exits
 * with status 1 and names the full disk, and the other two keep taking writes. Once space is freed
 * n3 restarts alone on its directory and its own log holds everything the leader had seen it
 * acknowledge (what it made durable); then, with the others back, it catches up and its log holds
 * every write the cluster acknowledged, at the index it was acknowledged at.
 */
class KvDiskFullProcessTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  /** Near the KV service's largest value (64 KiB), so that a few hundred writes fill the disk. */
  private static final int VALUE_BYTES = 60 * 1024;
  private static final int WRITERS = 4;
  private static final int MAX_WRITES = 20_000;

  @TempDir Path dir;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aNodeWhoseDiskFillsExitsNamingItAndOnceSpaceIsFreedRestartsHoldingEveryAcknowledgedWrite() throws Exception {
    fillRestartAndCatchUp("rocksdb");
  }

  /**
   * The same on the segment store, in the soak profile: its 64 MiB segments take a minute to fill
   * through HTTP. Its disk-full rules are checked in the default run by {@code SegmentDiskFullTest}
   * and {@code SegmentSpareSpaceTest} on small segments.
   */
  @Test
  @Tag("soak")
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void onTheSegmentStoreANodeWhoseDiskFillsExitsAndRestartsHoldingEveryAcknowledgedWrite() throws Exception {
    fillRestartAndCatchUp("segment");
  }

  private void fillRestartAndCatchUp(String logStore) throws Exception {
    // The segment store's first segment is 64 MiB, written through before the node starts: the
    // disk holds it and fills when the log needs the next one.
    long diskBytes = logStore.equals("segment") ? 96L << 20 : 8L << 20;
    try (SmallFilesystem disk = SmallFilesystem.mount(dir.resolve("small-disk"), diskBytes);
        NodeProcesses nodes = new NodeProcesses(dir)) {
      NodeSpec full = nodes.members.get(2);
      NodeSpec entry = nodes.members.get(0);
      nodes.withDataDir(full, disk.root().resolve(full.id().value()))
          .withNodeFlags("--log-store", logStore, "--snapshot-every", "0");
      nodes.startAll();
      NodeSpec leader = agreedLeader(nodes, full);
      if (leader.equals(full)) {
        // A follower, so that the leader's match index for it says what it acknowledged as durable.
        send(FOLLOWING, "POST", NodeProcesses.base(full) + "/admin/transfer-leadership/" + entry.id(), null);
        await().atMost(WAIT).until(() -> nodes.agreedLeader() != null && !nodes.agreedLeader().equals(full));
        leader = nodes.agreedLeader();
      }

      // Index of every acknowledged write, by key.
      Map<String, Long> acknowledged = new ConcurrentHashMap<>();
      AtomicInteger keys = new AtomicInteger();
      writeWhile(() -> nodes.isRunning(full), entry, keys, acknowledged);
      if (nodes.isRunning(full)) {
        fail(MAX_WRITES + " writes of " + VALUE_BYTES + " bytes did not fill " + diskBytes + " bytes; "
            + full.id() + " has " + disk.freeBytes() + " free");
      }
      await().atMost(WAIT).until(() -> nodes.exitStatus(full) != null);
      assertEquals(1, nodes.exitStatus(full), () -> full.id() + "'s exit status; its log:\n" + tail(nodes.log(full)));
      String log = nodes.log(full);
      assertTrue(log.contains("; exiting with status 1") && log.contains(SmallFilesystem.NO_SPACE),
          () -> full.id() + " names the full disk as it exits; its log:\n" + tail(log));
      // What the leader holds as acknowledged by n3, which n3 sends only once it is durable there.
      long durable = matchIndex(leader, full);

      // The other two are a majority: the cluster keeps taking writes.
      int more = keys.get() + 20;
      writeWhile(() -> keys.get() < more, entry, keys, acknowledged);

      // n3 alone, so that nothing it shows can have come from a leader after its restart.
      nodes.others(full).forEach(nodes::kill);
      disk.resize(diskBytes * 3);
      nodes.start(full);
      await().atMost(WAIT).until(() -> status(NodeProcesses.base(full)) != null);
      Map<Long, String> own = commands(full, durable);
      assertTrue(durable > 0, "the leader saw " + full.id() + " acknowledge entries before its disk filled");
      assertHolds(full, own, acknowledged, durable, "after its restart alone");

      nodes.startStopped();
      long last = acknowledged.values().stream().mapToLong(Long::longValue).max().orElseThrow();
      await().atMost(WAIT).until(() -> {
        JsonNode status = status(NodeProcesses.base(full));
        return status != null && status.get("last-applied").asLong() >= last;
      });
      assertHolds(full, commands(full, last), acknowledged, last, "once caught up");
    }
  }

  private static NodeSpec agreedLeader(NodeProcesses nodes, NodeSpec full) {
    try {
      await().atMost(WAIT).until(() -> nodes.agreedLeader() != null);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no leader all three name; " + full.id() + "'s log:\n" + tail(nodes.log(full)), e);
    }
    return nodes.agreedLeader();
  }

  /** The match index {@code leader} shows for {@code follower} in its {@code /status}. */
  private static long matchIndex(NodeSpec leader, NodeSpec follower) {
    JsonNode status = status(NodeProcesses.base(leader));
    assertTrue(status != null && "leader".equals(status.get("role").asText()),
        () -> leader.id() + " still leads after " + follower.id() + " stopped: " + status);
    for (JsonNode member : status.get("members")) {
      if (member.get("id").asText().equals(follower.id().value())) {
        return member.get("match-index").asLong();
      }
    }
    throw new AssertionError(leader.id() + "'s status names no " + follower.id() + ": " + status);
  }

  /** Every write acknowledged at an index up to {@code upTo} is in {@code held} at that index. */
  private static void assertHolds(NodeSpec m, Map<Long, String> held, Map<String, Long> acknowledged, long upTo, String when) {
    for (Map.Entry<String, Long> write : acknowledged.entrySet()) {
      if (write.getValue() <= upTo) {
        String command = held.get(write.getValue());
        assertTrue(command != null && command.startsWith("PUT " + write.getKey() + " "),
            () -> m.id() + " holds " + command + " at " + write.getValue() + " " + when + ", where " + write.getKey()
                + " was acknowledged");
      }
    }
  }

  /**
   * Writes new keys from {@value #WRITERS} threads while {@code go} holds (and fewer than
   * {@value #MAX_WRITES} were written), recording the index each was acknowledged at.
   */
  private static void writeWhile(BooleanSupplier go, NodeSpec entry, AtomicInteger keys, Map<String, Long> acknowledged)
      throws Exception {
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        running.add(writers.submit(() -> {
          while (go.getAsBoolean()) {
            int key = keys.getAndIncrement();
            if (key >= MAX_WRITES) {
              return;
            }
            put(entry, "k" + key, acknowledged);
          }
        }));
      }
      for (Future<?> writer : running) {
        writer.get();
      }
    } finally {
      writers.shutdownNow();
    }
  }

  /** PUTs {@code key} (retried between leaders) and records the index it was acknowledged at. */
  private static void put(NodeSpec entry, String key, Map<String, Long> acknowledged) {
    HttpResponse<String> answer = putRetrying(NodeProcesses.base(entry) + "/kv/" + key, value(key));
    assertEquals(200, answer.statusCode(), answer.body());
    acknowledged.put(key, json(answer).get("index").asLong());
  }

  private static String value(String key) {
    StringBuilder value = new StringBuilder(VALUE_BYTES).append(key).append('-');
    while (value.length() < VALUE_BYTES) {
      value.append('x');
    }
    return value.toString();
  }

  /** The commands of {@code m}'s own log up to {@code last}, by index, read page by page from its {@code /log}. */
  private static Map<Long, String> commands(NodeSpec m, long last) {
    Map<Long, String> commands = new HashMap<>();
    long from = 1;
    while (from <= last) {
      JsonNode page = json(send(FOLLOWING, "GET", NodeProcesses.base(m) + "/log?from=" + from, null));
      JsonNode entries = page.get("entries");
      if (entries.isEmpty()) {
        break;
      }
      for (JsonNode e : entries) {
        JsonNode command = e.get("command");
        commands.put(e.get("index").asLong(), command == null ? "" : command.asText());
        from = e.get("index").asLong() + 1;
      }
    }
    return commands;
  }

  private static String tail(String log) {
    return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
  }
}
