package dev.pontoon.examples.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.examples.linearizability.KvHistories;
import dev.pontoon.examples.linearizability.KvHttpClients;
import dev.pontoon.raft.engine.linearizability.CheckResult;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.engine.linearizability.Operation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP KV service is linearizable under real faults: three {@code pontoon-kv node} processes,
 * 12 concurrent HTTP clients reading, writing, compare-and-setting and deleting three keys on
 * random nodes (following redirects), while the leader is killed with SIGKILL and restarted on its
 * data, then frozen with SIGSTOP and resumed, then a follower frozen too. The history the clients
 * recorded is checked with the public {@code LinearizabilityChecker} against {@code KvModel}; its
 * timeline is written to {@code target/linearizability/}. The checker bites: the same clients
 * against nodes that serve reads from their local state are caught.
 */
@EnabledOnOs(OS.LINUX) // SIGSTOP and SIGCONT through kill(1)
class KvLinearizabilityProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient STATUS = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofMillis(500)).build();
  private static final Duration RUN = Duration.ofSeconds(24);
  /** How long a fault looks for the leader: later faults wait for it; three such waits still end inside {@link #RUN}. */
  private static final Duration FIND_LEADER = Duration.ofSeconds(5);

  @TempDir
  Path dir;
  /** What the fault schedule did, for the failure message. */
  private final List<String> faults = Collections.synchronizedList(new ArrayList<>());

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void historyUnderKillAndPauseOfTheLeaderIsLinearizable() {
    try (NodeProcesses nodes = new NodeProcesses(dir)) {
      nodes.startAll();
      await().atMost(Duration.ofSeconds(40)).until(() -> nodes.agreedLeader() != null);
      KvHttpClients clients = new KvHttpClients(() -> bases(nodes), 3, Duration.ofSeconds(3));
      ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor();
      try {
        long start = System.nanoTime();
        // SIGKILL the leader at 5 s, restart it on its data at 9 s; SIGSTOP the leader at 13 s, SIGCONT
        // at 16 s; SIGSTOP a follower at 19 s, SIGCONT at 21 s. Clients stop at 24 s.
        NodeSpec[] killed = new NodeSpec[1];
        NodeSpec[] paused = new NodeSpec[2];
        schedule.schedule(() -> {
          killed[0] = findLeader(nodes);
          if (killed[0] != null) {
            nodes.kill(killed[0]);
          }
          faults.add("SIGKILL " + killed[0]);
        }, 5, TimeUnit.SECONDS);
        schedule.schedule(() -> {
          if (killed[0] != null) {
            nodes.start(killed[0]);
          }
          faults.add("restart " + killed[0]);
        }, 9, TimeUnit.SECONDS);
        schedule.schedule(() -> pause(nodes, paused, 0, true), 13, TimeUnit.SECONDS);
        schedule.schedule(() -> resume(nodes, paused, 0), 16, TimeUnit.SECONDS);
        schedule.schedule(() -> pause(nodes, paused, 1, false), 19, TimeUnit.SECONDS);
        schedule.schedule(() -> resume(nodes, paused, 1), 21, TimeUnit.SECONDS);
        clients.runUntil(12, start + RUN.toNanos(), 1);
      } finally {
        schedule.shutdownNow();
      }
      List<Operation<KvModel.Input, String>> history = clients.history().operations();
      CheckResult<KvModel.Input, String> result = KvHistories.check("kv-http-kill-and-pause", history);
      String context = KvHistories.counts(history) + "; faults: " + faults + "; timeline: "
          + KvHistories.timeline("kv-http-kill-and-pause").toAbsolutePath().toUri();
      assertTrue(result.isLinearizable(), result.describe() + context);
      assertEquals(6, faults.size(), context);
      assertTrue(faults.stream().noneMatch(f -> f.contains("null")), "every fault found its target: " + context);
      long completedWrites = history.stream().filter(o -> o.isCompleted() && o.input().isWrite()).count();
      long completedReads = history.stream().filter(o -> o.isCompleted() && !o.input().isWrite()).count();
      assertTrue(completedWrites > 200 && completedReads > 200, "the clients must exercise the cluster: " + context);
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void nodesServingReadsFromLocalStateAreCaught() {
    try (NodeProcesses nodes = new NodeProcesses(dir, LocalReadsKvNode.class)) {
      nodes.startAll();
      await().atMost(Duration.ofSeconds(40)).until(() -> realLeader(nodes) != null);
      KvHttpClients clients = new KvHttpClients(() -> bases(nodes), 3, Duration.ofSeconds(3));
      clients.runUntil(12, System.nanoTime() + Duration.ofSeconds(8).toNanos(), 2);
      List<Operation<KvModel.Input, String>> history = clients.history().operations();
      CheckResult<KvModel.Input, String> result = KvHistories.check("kv-http-local-reads", history);
      assertEquals(CheckResult.Verdict.NOT_LINEARIZABLE, result.verdict(),
          "stale reads went unnoticed: " + KvHistories.counts(history));
      assertTrue(result.failures().get(0).failedAt().input() instanceof KvModel.Get
          || result.describe().contains("get"), result.describe());
    }
  }

  private void pause(NodeProcesses nodes, NodeSpec[] paused, int slot, boolean leader) {
    NodeSpec l = findLeader(nodes);
    NodeSpec target = leader || l == null ? l : nodes.others(l).get(0);
    if (target != null) {
      nodes.pause(target);
      paused[slot] = target;
    }
    faults.add("SIGSTOP " + (leader ? "leader " : "follower ") + target);
  }

  private void resume(NodeProcesses nodes, NodeSpec[] paused, int slot) {
    if (paused[slot] != null) {
      nodes.resume(paused[slot]);
    }
    faults.add("SIGCONT " + paused[slot]);
  }

  private static List<String> bases(NodeProcesses nodes) {
    return nodes.members.stream().map(NodeProcesses::base).toList();
  }

  /**
   * The node that says it leads, asked for until one does, for at most {@link #FIND_LEADER}: one
   * round of {@link #leader} misses it whenever the leader's /status answer is slow (a loaded
   * machine, a JIT pause) or an election is under way, and a fault that finds no target leaves
   * its slot of the schedule unexercised. Null if none is found in that time, which the test
   * reports as a fault without target.
   */
  private static NodeSpec findLeader(NodeProcesses nodes) {
    AtomicReference<NodeSpec> found = new AtomicReference<>();
    try {
      await().atMost(FIND_LEADER).pollInterval(Duration.ofMillis(100)).until(() -> {
        found.set(leader(nodes));
        return found.get() != null;
      });
    } catch (ConditionTimeoutException e) {
      return null;
    }
    return found.get();
  }

  /** The node that says it leads, asking each once with a short timeout (a paused node does not answer). */
  private static NodeSpec leader(NodeProcesses nodes) {
    for (NodeSpec m : nodes.members) {
      JsonNode status = status(m);
      if (status != null && "leader".equals(status.get("role").asText())) {
        return m;
      }
    }
    return null;
  }

  /** With local reads every node says it leads; the leader they all name is the real one. */
  private static NodeSpec realLeader(NodeProcesses nodes) {
    String named = null;
    for (NodeSpec m : nodes.members) {
      JsonNode status = status(m);
      if (status == null || status.get("leader").isNull()
          || (named != null && !named.equals(status.get("leader").asText()))) {
        return null;
      }
      named = status.get("leader").asText();
    }
    return nodes.byId(named);
  }

  private static JsonNode status(NodeSpec m) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(NodeProcesses.base(m) + "/status"))
        .timeout(Duration.ofSeconds(1)).GET().build();
    try {
      HttpResponse<String> response = STATUS.send(request, HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
