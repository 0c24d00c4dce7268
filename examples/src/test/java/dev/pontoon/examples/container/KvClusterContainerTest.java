package dev.pontoon.examples.container;

import dev.pontoon.raft.transport.netty.LoopbackPorts;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.examples.linearizability.KvHistories;
import dev.pontoon.examples.linearizability.KvHttpClients;
import dev.pontoon.raft.engine.linearizability.CheckResult;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.engine.linearizability.Operation;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * A 3-node KV cluster in three containers of the local image, driven through the HTTP API while
 * faults are injected at container level: the leader's container is killed, a node is paused (a
 * partition) and unpaused, the killed node is restarted on its volume. The steps run in order on
 * one cluster; each checks the Raft rule named in it. From the second step to the last, four
 * background clients read, write and compare-and-set three other keys on random nodes, and the
 * last step checks their history for linearizability (its timeline goes to
 * {@code target/linearizability/}). Skips with one message when no Docker engine answers or the
 * image cannot be built (see {@link LocalNodeImage}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KvClusterContainerTest {

  static final String NODE_MAIN = "dev.pontoon.examples.cluster.PontoonKv";
  /**
   * Bound on each wait (JVM start, election, catch-up). Generous: on a loaded 2-core machine three JVMs
   * starting at once took 20 s to elect; a healthy run never waits this long, a broken one fails here.
   */
  private static final Duration ELECTION_BOUND = Duration.ofSeconds(60);
  private static final Duration POLL = Duration.ofMillis(200);

  private final KvHttp http = new KvHttp();
  /** Every write the cluster answered 200 to: each must stay readable through every fault. */
  private final Map<String, String> acknowledged = new LinkedHashMap<>();
  private final List<KvNodeContainer> nodes = new ArrayList<>();
  /** Background clients recording a history through every fault, from step 2 to step 7. */
  private KvHttpClients clients;
  private KvHttpClients.Running running;
  private KvNodeContainer killed;
  private KvHttp.Status killedStatus;

  /**
   * Why the cluster cannot run here (no Docker engine, no image), or null. Kept and re-raised per
   * test because an abort in {@code @BeforeAll} reaches surefire's report as no test at all.
   */
  private TestAbortedException unavailable;

  /** The first step that failed: the later steps build on its outcome, so they are skipped. */
  private String failedStep;

  @RegisterExtension
  final TestWatcher stepWatcher = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      if (failedStep == null) {
        failedStep = context.getDisplayName();
      }
    }
  };

  @BeforeAll
  void startCluster() {
    String image;
    try {
      image = LocalNodeImage.buildOrAbort(NODE_MAIN);
    } catch (TestAbortedException e) {
      unavailable = e;
      return;
    }
    String runId = UUID.randomUUID().toString().substring(0, 8);
    Path logDir = Path.of("target", "container-logs", runId);
    int[] ports = LoopbackPorts.take(6).stream().mapToInt(Integer::intValue).toArray();
    for (int i = 0; i < 3; i++) {
      nodes.add(new KvNodeContainer("n" + (i + 1), image, ports[2 * i], ports[2 * i + 1], runId, logDir));
    }
    String peers = nodes.stream().map(KvNodeContainer::peerSpec).collect(Collectors.joining(","));
    for (KvNodeContainer node : nodes) {
      node.start(peers);
    }
  }

  @BeforeEach
  void requireCluster() {
    if (unavailable != null) {
      throw unavailable;
    }
    if (failedStep != null) {
      throw new TestAbortedException("an earlier step of the scenario failed: " + failedStep);
    }
  }

  @AfterAll
  void removeCluster() {
    if (running != null) {
      running.close();
    }
    for (KvNodeContainer node : nodes) {
      node.close();
    }
  }

  @Test
  @Order(1)
  void threeNodesElectOneLeaderThatEveryNodeAcknowledges() {
    KvNodeContainer leader = awaitAgreedLeader(nodes, 1);

    KvHttp.Status status = http.status(leader.httpBase());
    assertEquals(leader.id(), status.id(), "the leader reports the id it was started with");
  }

  @Test
  @Order(2)
  void leaderAnswersWritesAfterCommitAndReadsThemBackLinearizably() {
    KvNodeContainer leader = awaitAgreedLeader(nodes, 0);

    writeThroughLeader(leader, "before-faults", 3);

    assertReadableThrough(leader);
    awaitCaughtUp(nodes, leader);
    clients = new KvHttpClients(() -> nodes.stream().map(n -> n.httpBase().toString()).toList(), 3,
        Duration.ofSeconds(3));
    running = clients.start(4, 3);
  }

  @Test
  @Order(3)
  void followersRedirectClientsToTheLeaderWith307() {
    KvNodeContainer leader = awaitAgreedLeader(nodes, 0);

    for (KvNodeContainer follower : others(nodes, leader)) {
      KvHttp.Reply write = http.put(follower.httpBase(), "redirected", "x");
      KvHttp.Reply read = http.get(follower.httpBase(), "before-faults-0");

      assertRedirectsToLeader(write, "PUT on follower " + follower.id(), leader);
      assertRedirectsToLeader(read, "GET on follower " + follower.id(), leader);
    }
  }

  @Test
  @Order(4)
  void killingTheLeaderContainerElectsANewLeaderThatServesEveryAcknowledgedWrite() {
    KvNodeContainer oldLeader = awaitAgreedLeader(nodes, 0);
    KvHttp.Status atKill = http.status(oldLeader.httpBase());
    long oldTerm = atKill.term();

    oldLeader.kill();
    killed = oldLeader;
    killedStatus = atKill;
    List<KvNodeContainer> survivors = others(nodes, oldLeader);
    // A new leader needs votes from a majority (2 of 3) in a later term (§5.2); Leader Completeness
    // (§5.4) means it holds every committed entry, so every acknowledged write stays readable.
    KvNodeContainer newLeader = awaitAgreedLeader(survivors, oldTerm + 1);

    assertReadableThrough(newLeader);
    writeThroughLeader(newLeader, "leader-killed", 3);
    assertReadableThrough(newLeader);
  }

  @Test
  @Order(5)
  void killedNodeRestartedOnItsVolumeRecoversItsTermAndLogThenCatchesUp() {
    assertNotNull(killed, "the leader's container was killed in the previous step");
    List<KvNodeContainer> survivors = others(nodes, killed);

    // With the survivors frozen, all the restarted node reports comes from its own volume.
    survivors.forEach(KvNodeContainer::pause);
    KvHttp.Status recovered;
    try {
      killed.restart();
      recovered = awaitStatus(killed);
    } finally {
      survivors.forEach(KvNodeContainer::unpause);
    }
    // currentTerm and log[] are persistent state, updated on stable storage before answering (§5,
    // Figure 2). The entries it had applied were synced long before the kill: the writes completed
    // and every node applied them (step 2) a step earlier, and group commit syncs within milliseconds.
    assertTrue(recovered.term() >= killedStatus.term(),
        () -> "term after restart " + recovered + " vs. before the kill " + killedStatus);
    assertTrue(recovered.lastLogIndex() >= killedStatus.lastApplied(),
        () -> "log after restart " + recovered + " vs. before the kill " + killedStatus);

    KvNodeContainer leader = awaitAgreedLeader(nodes, 0);

    awaitCaughtUp(nodes, leader);
    writeThroughLeader(leader, "after-restart", 2);
    awaitCaughtUp(nodes, leader);
    assertReadableThrough(leader);
  }

  @Test
  @Order(6)
  void pausedLeaderIsReplacedAndCatchesUpAfterUnpause() {
    KvNodeContainer paused = awaitAgreedLeader(nodes, 0);
    long pausedTerm = http.status(paused.httpBase()).term();

    paused.pause();
    KvNodeContainer leader;
    try {
      leader = awaitAgreedLeader(others(nodes, paused), pausedTerm + 1);
      writeThroughLeader(leader, "during-pause", 3);
    } finally {
      paused.unpause();
    }
    // The unpaused node sees a higher term and steps down (§5.1); the leader repairs its log (§5.3).
    leader = awaitAgreedLeader(nodes, pausedTerm + 1);

    awaitCaughtUp(nodes, leader);
    assertReadableThrough(leader);
  }

  @Test
  @Order(7)
  void theHistoryOfClientsRunningThroughEveryFaultIsLinearizable() {
    assertNotNull(running, "the clients started in step 2");
    running.close();
    running = null;
    List<Operation<KvModel.Input, String>> history = clients.history().operations();
    CheckResult<KvModel.Input, String> result = KvHistories.check("kv-containers", history);
    assertTrue(result.isLinearizable(), () -> result.describe() + KvHistories.counts(history) + "; timeline: "
        + KvHistories.timeline("kv-containers").toAbsolutePath().toUri());
    assertTrue(history.stream().filter(Operation::isCompleted).count() > 50, () -> KvHistories.counts(history));
  }

  /** Writes {@code count} new keys through the leader; each must be answered 200 (committed). */
  private void writeThroughLeader(KvNodeContainer leader, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      String key = prefix + "-" + i;
      String value = "value of " + key;
      KvHttp.Reply reply = http.put(leader.httpBase(), key, value);
      assertEquals(200, reply.code(), () -> "PUT " + key + " on leader " + leader.id() + ": " + reply.body());
      acknowledged.put(key, value);
    }
  }

  private void assertReadableThrough(KvNodeContainer leader) {
    assertTrue(!acknowledged.isEmpty(), "some writes were acknowledged");
    acknowledged.forEach((key, value) -> {
      KvHttp.Reply reply = http.get(leader.httpBase(), key);
      assertEquals(200, reply.code(), () -> "GET " + key + " on leader " + leader.id() + ": " + reply.body());
      assertEquals(value, KvHttp.valueIn(reply), () -> "GET " + key + " on leader " + leader.id());
    });
  }

  private KvHttp.Status awaitStatus(KvNodeContainer node) {
    KvHttp.Status[] status = new KvHttp.Status[1];
    await(node.id() + " answering GET /status")
        .atMost(ELECTION_BOUND).pollInterval(POLL).ignoreExceptionsInstanceOf(UncheckedIOException.class)
        .untilAsserted(() -> {
          node.requireRunning();
          status[0] = http.status(node.httpBase());
        });
    return status[0];
  }

  /**
   * Waits until every node in {@code group} answers, exactly one of them is leader in a term of at
   * least {@code minTerm}, and all of them name it as leader; returns it.
   */
  private KvNodeContainer awaitAgreedLeader(List<KvNodeContainer> group, long minTerm) {
    KvNodeContainer[] leader = new KvNodeContainer[1];
    await("a leader acknowledged by " + ids(group) + " in term >= " + minTerm)
        .atMost(ELECTION_BOUND).pollInterval(POLL).ignoreExceptionsInstanceOf(UncheckedIOException.class)
        .untilAsserted(() -> {
          Map<KvNodeContainer, KvHttp.Status> statuses = new LinkedHashMap<>();
          for (KvNodeContainer node : group) {
            node.requireRunning();
            statuses.put(node, http.status(node.httpBase()));
          }
          List<KvNodeContainer> leaders = statuses.entrySet().stream()
              .filter(e -> e.getValue().isLeader()).map(Map.Entry::getKey).toList();
          assertEquals(1, leaders.size(), () -> "one node with role leader: " + statuses.values());
          KvHttp.Status leaderStatus = statuses.get(leaders.get(0));
          assertTrue(leaderStatus.term() >= minTerm, () -> "leader's term >= " + minTerm + ": " + leaderStatus);
          for (KvHttp.Status status : statuses.values()) {
            assertEquals(leaders.get(0).id(), status.leader(), () -> "leader named by " + status);
            assertEquals(leaderStatus.term(), status.term(), () -> "term of " + status);
          }
          leader[0] = leaders.get(0);
        });
    return leader[0];
  }

  /** Waits until every node has applied everything the leader had committed when this was called. */
  private void awaitCaughtUp(List<KvNodeContainer> group, KvNodeContainer leader) {
    long committed = http.status(leader.httpBase()).commitIndex();
    await(ids(group) + " applied up to index " + committed)
        .atMost(ELECTION_BOUND).pollInterval(POLL).ignoreExceptionsInstanceOf(UncheckedIOException.class)
        .untilAsserted(() -> {
          for (KvNodeContainer node : group) {
            node.requireRunning();
            long applied = http.status(node.httpBase()).lastApplied();
            assertTrue(applied >= committed, () -> node.id() + " applied up to " + applied);
          }
        });
  }

  private static void assertRedirectsToLeader(KvHttp.Reply reply, String what, KvNodeContainer leader) {
    assertEquals(307, reply.code(), () -> what + ": " + reply.body());
    String location = reply.location().orElse("");
    URI target = URI.create(location);
    assertEquals(leader.httpBase().getPort(), target.getPort(), () -> what + ": Location " + location);
  }

  private static List<KvNodeContainer> others(List<KvNodeContainer> group, KvNodeContainer excluded) {
    return group.stream().filter(node -> node != excluded).toList();
  }

  private static String ids(List<KvNodeContainer> group) {
    return group.stream().map(KvNodeContainer::id).collect(Collectors.joining(",", "[", "]"));
  }

}
