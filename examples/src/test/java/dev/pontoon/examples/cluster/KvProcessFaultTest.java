package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static dev.pontoon.examples.cluster.HttpJson.status;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real processes, real crashes: three {@code pontoon-kv node} processes, on each durable log
 * store in turn; a write; the leader is killed with SIGKILL; a new leader serves the write and takes another; the killed node restarts
 * on its data directory and catches up.
 */
class KvProcessFaultTest {
  private static final Duration WAIT = Duration.ofSeconds(40);
  @TempDir
  Path dir;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private List<NodeSpec> members;

  @AfterEach
  void killAll() {
    processes.values().forEach(Process::destroyForcibly);
    for (Process p : processes.values()) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private String logStore;

  private void start(NodeSpec m) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String peers = String.join(",", members.stream().map(NodeSpec::toString).toList());
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), PontoonKv.class.getName(), "node", "--id", m.id().value(),
        "--http", NodeSpec.hostPort(m.http()), "--raft", NodeSpec.hostPort(m.raft()),
        "--dir", dir.resolve(m.id().value()).toString(), "--peers", peers, "--log-store", logStore));
    Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(m.id() + ".log").toFile())).start();
    processes.put(m.id().value(), process);
  }

  private static String base(NodeSpec m) {
    return "http://127.0.0.1:" + m.http().getPort();
  }

  private NodeSpec leader(List<NodeSpec> among) {
    for (NodeSpec m : among) {
      JsonNode status = status(base(m));
      if (status != null && "leader".equals(status.get("role").asText())) {
        return m;
      }
    }
    return null;
  }

  /** Whether {@code m} answers and names a leader: until then it rightly answers 503. */
  private boolean knowsLeader(NodeSpec m) {
    return knowsLeader(m, null);
  }

  /** Whether {@code m} answers and names a leader other than {@code notThis}. */
  private boolean knowsLeader(NodeSpec m, NodeSpec notThis) {
    JsonNode status = status(base(m));
    return status != null && !status.get("leader").isNull()
        && (notThis == null || !notThis.id().value().equals(status.get("leader").asText()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rocksdb", "segment"})
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void afterKill9OfTheLeaderANewLeaderServesTheWritesAndTheRestartedNodeCatchesUp(String logStore) throws IOException {
    this.logStore = logStore;
    members = FreePorts.members();
    for (NodeSpec m : members) {
      start(m);
    }
    await().atMost(WAIT).until(() -> leader(members) != null && knowsLeader(members.get(0)));
    HttpResponse<String> first = send(FOLLOWING, "PUT", base(members.get(0)) + "/kv/before", "crash");
    assertEquals(200, first.statusCode(), first.body());

    NodeSpec killed = leader(members);
    processes.get(killed.id().value()).destroyForcibly(); // SIGKILL: no shutdown hook runs
    List<NodeSpec> survivors = members.stream().filter(m -> !m.equals(killed)).toList();
    NodeSpec survivor = survivors.get(0);
    await().atMost(WAIT).until(() -> leader(survivors) != null && knowsLeader(survivor, killed));
    HttpResponse<String> read = send(FOLLOWING, "GET", base(survivor) + "/kv/before", null);
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("crash", json(read).get("value").asText());
    HttpResponse<String> second = send(FOLLOWING, "PUT", base(survivor) + "/kv/after", "restart");
    assertEquals(200, second.statusCode(), second.body());
    long index = json(second).get("index").asLong();

    start(killed);
    await().atMost(WAIT).until(() -> {
      JsonNode status = status(base(killed));
      return status != null && status.get("last-applied").asLong() >= index;
    });
    JsonNode log = json(send(FOLLOWING, "GET", base(killed) + "/log?from=1", null));
    List<String> commands = log.get("entries").findValuesAsText("command");
    assertTrue(commands.contains("PUT before crash") && commands.contains("PUT after restart"), commands.toString());
    try (Stream<Path> files = Files.list(dir.resolve(killed.id().value()).resolve("log"))) {
      boolean segments = files.anyMatch(f -> f.getFileName().toString().startsWith("segment-"));
      assertEquals(logStore.equals("segment"), segments, "the log directory holds segment files only on the segment store");
    }
  }
}
