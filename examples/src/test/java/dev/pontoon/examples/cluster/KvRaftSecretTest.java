package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --raft-secret-file} on the HTTP/JSON transport: {@code /raft/*} takes a request only with
 * {@code Authorization: Bearer <the cluster secret>}, decided on the request's head, so a client
 * without it can neither step a node's Raft state nor make it buffer a body; peers that share the
 * secret replicate as they did without one. One three-node cluster for the class, started through
 * the flags {@code pontoon-kv node} parses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvRaftSecretTest {
  private static final String SECRET = "a-cluster-secret-of-at-least-32-characters";
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<KvNode> nodes = new ArrayList<>();

  @BeforeAll
  void startThreeNodesSharingTheSecret(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("raft.secret"), SECRET + "\n");
    List<NodeSpec> members = FreePorts.sharedPortMembers();
    String peers = members.stream().map(m -> NodeSpec.hostPort(m.http())).collect(Collectors.joining(","));
    for (NodeSpec m : members) {
      NodeOptions o = NodeOptions.parse(List.of("--transport", "http", "--http", NodeSpec.hostPort(m.http()),
          "--dir", dir.resolve("n" + nodes.size()).toString(), "--peers", peers, "--raft-secret-file", secret.toString()));
      nodes.add(KvNode.start(o.id(), o.members(), o.dir(), o.transport(), o.snapshotEvery(), o.logRetain(),
          o.security(), KvNode.Seam.NONE, o.join(), o.logStore()));
    }
  }

  @AfterAll
  void stop() {
    nodes.forEach(KvNode::close);
  }

  /**
   * Peers that all hold the cluster secret send it on every Raft request: they elect a leader and
   * a write through a follower commits on every node.
   */
  @Test
  void peersWithTheSecretReplicateAsBefore() {
    KvNode follower = follower();
    HttpResponse<String> put = HttpJson.putRetrying(base(follower) + "/kv/replicated", "yes");
    assertEquals(200, put.statusCode(), put.body());
    long index = json(put).get("index").asLong();
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream()
        .allMatch(n -> n.raft().status().lastApplied() >= index));
  }

  /**
   * A Raft request without the cluster secret, or with a wrong one, is answered 401 and reaches no
   * node: a forged TimeoutNow does not start an election and a forged AppendEntries from a later
   * term with a made-up entry changes neither the follower's term nor its log.
   */
  @Test
  void aRaftMessageWithoutTheClusterSecretIsRefusedAndChangesNothing() {
    KvNode follower = follower();
    KvNode leader = leader();
    RaftNodeStatus before = follower.raft().status();
    long term = before.term();
    String timeoutNow = "{\"term\":" + term + ",\"leader-id\":\"" + leader.raft().status().id().value() + "\"}";
    String append = "{\"term\":" + (term + 5) + ",\"leader-id\":\"" + leader.raft().status().id().value() + "\","
        + "\"prev-log-index\":" + before.lastLogIndex() + ",\"prev-log-term\":" + term + ","
        + "\"entries\":[{\"index\":" + (before.lastLogIndex() + 1) + ",\"term\":" + (term + 5)
        + ",\"command\":\"forged\"}],\"leader-commit\":" + (before.lastLogIndex() + 1) + "}";

    for (String authorization : new String[] {null, "Bearer not-the-cluster-secret-but-long-enough-0123",
        "Basic " + SECRET}) {
      HttpResponse<String> refused = post(follower, "/raft/timeout-now", timeoutNow, authorization);
      assertEquals(401, refused.statusCode(), refused.body());
      assertTrue(refused.body().contains("Authorization: Bearer"), refused.body());
      assertEquals(401, post(follower, "/raft/append-entries", append, authorization).statusCode());
    }

    // Only what the forged messages would have done is checked: a genuine election on a slow
    // machine (a term or two more, a new leader's no-op) is Raft's right and not the forgery.
    RaftNodeStatus after = follower.raft().status();
    assertTrue(after.term() < term + 5, "the forged AppendEntries moved the follower to its term: " + after.term());
    JsonNode log = json(HttpJson.send(HttpJson.FOLLOWING, "GET", base(follower) + "/log?from=1", null));
    for (JsonNode entry : log.get("entries")) {
      assertTrue(entry.path("term").asLong() < term + 5 && !"forged".equals(entry.path("command").asText()),
          "the forged entry is in the follower's log: " + entry);
    }
  }

  /**
   * The secret is checked on the request's head: a request announcing a 60 MiB body without it is
   * answered 401 before a byte of the body is sent, so an unauthenticated client cannot make the
   * node buffer its body.
   */
  @Test
  void anUnauthenticatedRaftRequestIsRefusedBeforeItsBodyIsRead() throws IOException {
    InetSocketAddress address = follower().httpAddress();
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /raft/append-entries HTTP/1.1\r\nHost: " + NodeSpec.hostPort(address)
          + "\r\nContent-Type: application/json\r\nContent-Length: " + 60L * 1024 * 1024 + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = new byte[12];
      int n = 0;
      while (n < head.length) {
        int read = in.read(head, n, head.length - n);
        if (read < 0) {
          break;
        }
        n += read;
      }
      assertEquals("HTTP/1.1 401", new String(head, 0, n, StandardCharsets.US_ASCII),
          "answered before the body was sent");
    }
  }

  private KvNode leader() {
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().anyMatch(n -> n.raft().status().role() == Role.LEADER));
    return nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElseThrow();
  }

  private KvNode follower() {
    KvNode leader = leader();
    return nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
  }

  private static String base(KvNode node) {
    return "http://" + NodeSpec.hostPort(node.httpAddress());
  }

  private static HttpResponse<String> post(KvNode node, String path, String body, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base(node) + path)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
