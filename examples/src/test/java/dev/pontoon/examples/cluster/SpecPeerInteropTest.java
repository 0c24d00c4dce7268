package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.DIRECT;
import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.examples.specpeer.SpecPeer;
import dev.pontoon.raft.Role;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with a peer written from {@code HTTP-TRANSPORT.md} alone ({@link SpecPeer}: JDK
 * only, no Pontoon code). Three Pontoon KV nodes on {@code --transport http} and the peer form a
 * cluster of four voters, each named by its address; Pontoon's three are a majority of four, so
 * they commit without the peer, and the peer, which never campaigns, follows.
 */
class SpecPeerInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  @TempDir
  Path dir;
  private final List<KvNode> nodes = new ArrayList<>();
  private SpecPeer peer;

  @AfterEach
  void stop() {
    nodes.forEach(KvNode::close);
    if (peer != null) {
      peer.close();
    }
  }

  private void startCluster() throws IOException {
    peer = SpecPeer.start(0);
    List<NodeSpec> members = new ArrayList<>(FreePorts.sharedPortMembers());
    List<NodeSpec> pontoon = List.copyOf(members);
    members.add(NodeSpec.parseSharedPort(peer.address()));
    for (NodeSpec m : pontoon) {
      nodes.add(KvNode.start(m.id(), members, dir.resolve(m.id().value().replace(':', '-')), "http", 0));
    }
    awaitAgreedLeader();
  }

  private void awaitAgreedLeader() {
    await().atMost(WAIT).until(() -> nodes.stream().anyMatch(n -> n.raft().status().role() == Role.LEADER)
        && nodes.stream().map(n -> n.raft().status().leader()).distinct().count() == 1);
  }

  private static String base(KvNode node) {
    return "http://" + NodeSpec.hostPort(node.httpAddress());
  }

  private void put(String key, String value) {
    HttpResponse<String> answer = send(FOLLOWING, "PUT", base(nodes.get(0)) + "/kv/" + key, value);
    assertEquals(200, answer.statusCode(), answer.body());
  }

  /** The log as {@code GET /log} shows it, entry by entry: index, term, kind and, for commands, the command. */
  private static List<String> logOf(String base) {
    JsonNode log = json(send(DIRECT, "GET", base + "/log?from=1", null));
    List<String> entries = new ArrayList<>();
    for (JsonNode e : log.get("entries")) {
      String kind = e.path("kind").asText("command");
      entries.add(e.get("index").asLong() + "/" + e.get("term").asLong() + "/" + kind
          + (kind.equals("command") ? " " + e.get("command").asText() : ""));
    }
    return entries;
  }

  /** Every member committed {@code index} and holds the same log as {@code GET /log} shows it. */
  private void awaitEqualLogs(long index) {
    await().atMost(WAIT).until(() -> peer.commitIndex() >= index
        && nodes.stream().allMatch(n -> n.raft().status().commitIndex() >= index));
    List<String> expected = logOf(base(nodes.get(0)));
    for (KvNode node : nodes) {
      assertEquals(expected, logOf(base(node)), NodeSpec.hostPort(node.httpAddress()));
    }
    assertEquals(expected, logOf("http://" + peer.address()), "the spec peer's log");
  }

  /**
   * The spec peer joins as a follower: it receives every entry, as the page's text commands, and
   * ends with the log the Pontoon nodes have.
   */
  @Test
  void peerWrittenFromThePageFollowsAndEndsWithTheSameLog() throws IOException {
    startCluster();
    put("foo", "bar");
    put("greeting", "hello world");
    assertEquals(200, send(FOLLOWING, "POST", base(nodes.get(1)) + "/kv/foo/cas", "{\"from\":\"bar\",\"to\":\"baz\"}")
        .statusCode());
    assertEquals(200, send(FOLLOWING, "DELETE", base(nodes.get(2)) + "/kv/greeting", null).statusCode());
    long last = nodes.stream().mapToLong(n -> n.raft().status().lastLogIndex()).max().orElseThrow();

    awaitEqualLogs(last);
    List<String> commands = peer.log().stream().map(SpecPeer.Entry::command).toList();
    assertTrue(commands.containsAll(List.of("PUT foo bar", "PUT greeting hello%20world", "CAS foo bar baz",
        "DELETE greeting")), commands.toString());
    assertTrue(List.of("no-op", "configuration").contains(peer.log().get(0).kind()),
        "the log starts with the first leader's no-op (or a bootstrap configuration): " + peer.log());
  }

  /**
   * With the leader gone, two Pontoon nodes of four voters need the spec peer's vote: it answers
   * the page's pre-vote and vote, a new leader is elected, and its no-op and later writes reach
   * the peer.
   */
  @Test
  void afterTheLeaderIsLostTheSpecPeersVoteElectsTheNextLeader() throws IOException {
    startCluster();
    put("before", "loss");
    KvNode leader = nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElseThrow();
    long oldTerm = leader.raft().status().term();
    nodes.remove(leader);
    leader.close();
    await().atMost(WAIT).until(() -> nodes.stream().anyMatch(n -> n.raft().status().role() == Role.LEADER
        && n.raft().status().term() > oldTerm));
    awaitAgreedLeader();
    put("after", "election");
    long last = nodes.stream().mapToLong(n -> n.raft().status().lastLogIndex()).max().orElseThrow();

    awaitEqualLogs(last);
    List<SpecPeer.Entry> log = peer.log();
    assertTrue(log.stream().anyMatch(e -> e.kind().equals("no-op") && e.term() > oldTerm), log.toString());
    assertEquals("PUT after election", log.get(log.size() - 1).command());
  }
}
