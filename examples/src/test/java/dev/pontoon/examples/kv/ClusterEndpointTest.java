package dev.pontoon.examples.kv;

import dev.pontoon.raft.transport.netty.LoopbackPorts;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /cluster} over real loopback sockets: {@code n1} (leader) gathers {@code n2}'s status
 * from another server, and {@code n3} is down: either nothing listens on its port, or a socket
 * accepts connections and never answers. Either way {@code n3} is shown unreachable with the
 * reason, and the answer takes no longer than the per-peer timeout (plus scheduling slack).
 *
 * <p>The timeouts and bounds are generous on purpose: CI runs on a loaded 2-core machine, where a
 * healthy peer's /status can take well over a few hundred ms. Each bound stays far below what the
 * bug it catches would take (waiting for a silent peer until the request's own timeout, or
 * waiting the peer timeout for a refused connection).
 */
class ClusterEndpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  /** Long enough for a healthy in-process peer's /status on a loaded machine. */
  private static final Duration PEER_TIMEOUT = Duration.ofSeconds(2);
  /** How long GET /cluster may take beyond the peer timeout: scheduling slack on a loaded machine. */
  private static final Duration SLACK = Duration.ofSeconds(5);
  /** The client's timeout for GET /cluster: well beyond every bound, so a hang shows as a slow answer. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private static InetSocketAddress anyLoopbackPort() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  private static String hostPort(InetSocketAddress address) {
    return "127.0.0.1:" + address.getPort();
  }

  /** Starts {@code n2} (a follower of {@code n1}) and then {@code n1}, which believes {@code n3} is at {@code n3Address}. */
  private KvHttpServer startN1(String n3Address, Duration peerTimeout) {
    FakeRaftNode n2 = new FakeRaftNode(NodeId.of("n2"));
    n2.role = Role.FOLLOWER;
    n2.leader = NodeId.of("n1");
    KvHttpServer n2Server = KvHttpServer.start(anyLoopbackPort(), n2, n2.log,
        Map.of(NodeId.of("n2"), "127.0.0.1:0"), KvHttpConfig.defaults());
    open.add(n2Server);
    FakeRaftNode n1 = new FakeRaftNode(NodeId.of("n1"));
    KvHttpServer n1Server = KvHttpServer.start(anyLoopbackPort(), n1, n1.log,
        Map.of(NodeId.of("n1"), "127.0.0.1:0", NodeId.of("n2"), hostPort(n2Server.address()), NodeId.of("n3"), n3Address),
        KvHttpConfig.defaults().withPeerTimeout(peerTimeout));
    open.add(n1Server);
    return n1Server;
  }

  /** GET /cluster, and how long the answer took. */
  private record Answer(JsonNode body, Duration took) {
    JsonNode member(String id) {
      for (JsonNode m : body.get("members")) {
        if (m.get("id").asText().equals(id)) {
          return m;
        }
      }
      throw new AssertionError("no member " + id + " in " + body);
    }
  }

  private static Answer cluster(KvHttpServer server) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort(server.address()) + "/cluster"))
        .timeout(REQUEST_TIMEOUT).build();
    long start = System.nanoTime();
    HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(200, response.statusCode(), response.body());
    return new Answer(JSON.readTree(response.body()), took);
  }

  @Test
  void aMemberThatAcceptsButNeverAnswersIsUnreachableAndTheAnswerWaitsOnlyThePeerTimeout() throws Exception {
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // accepts, never answers
    open.add(silent);
    KvHttpServer n1 = startN1("127.0.0.1:" + silent.getLocalPort(), PEER_TIMEOUT);
    cluster(n1); // the first request also starts the node's HTTP client

    // n2 is healthy, but on a loaded machine one of its answers may still miss the peer timeout;
    // it must be shown reachable in one of the answers. Every answer is checked for its duration.
    Duration bound = PEER_TIMEOUT.plus(SLACK);
    Answer answer = await().atMost(Duration.ofSeconds(60)).until(() -> {
      Answer a = cluster(n1);
      assertTrue(a.took().compareTo(bound) < 0, "took " + a.took() + ", more than " + bound);
      return a;
    }, a -> a.member("n2").get("reachable").asBoolean());

    assertEquals("n1", answer.body().get("id").asText());
    assertEquals("n1", answer.body().get("leader").asText());
    assertEquals(PEER_TIMEOUT.toMillis(), answer.body().get("peer-timeout-ms").asLong());
    JsonNode n3 = answer.member("n3");
    assertFalse(n3.get("reachable").asBoolean());
    assertEquals("no answer within " + PEER_TIMEOUT.toMillis() + " ms", n3.get("error").asText());
    JsonNode n2 = answer.member("n2");
    assertTrue(n2.get("reachable").asBoolean(), n2.toString());
    assertEquals("follower", n2.get("role").asText());
    assertEquals(0, n2.get("lag").asLong());
    assertTrue(n2.get("log").has("entries"), n2.toString());
    JsonNode self = answer.member("n1");
    assertEquals("leader", self.get("role").asText());
    assertEquals(0, self.get("lag").asLong());
    assertFalse(self.has("members"), "members are listed once, at the top");
  }

  @Test
  void aMemberWhosePortRefusesConnectionsIsUnreachableAtOnce() throws Exception {
    int closedPort = LoopbackPorts.takeOne();
    // A peer timeout far above the bound below, so that waiting it out for n3 cannot pass.
    KvHttpServer n1 = startN1("127.0.0.1:" + closedPort, Duration.ofSeconds(40));
    cluster(n1);

    Answer answer = cluster(n1);

    assertTrue(answer.took().compareTo(Duration.ofSeconds(10)) < 0, "a refused connection waited: " + answer.took());
    JsonNode n3 = answer.member("n3");
    assertFalse(n3.get("reachable").asBoolean());
    assertEquals("connection refused", n3.get("error").asText());
    assertEquals("127.0.0.1:" + closedPort, n3.get("http").asText());
    assertTrue(answer.member("n2").get("reachable").asBoolean());
  }

  /**
   * A member's {@code /status} is another process's answer: a leader whose progress list has an
   * entry with a lag but no id (a newer or broken member) is shown, that entry skipped, instead of
   * failing the whole {@code GET /cluster}.
   */
  @Test
  void aLeaderWhoseProgressListsAnEntryWithoutAnIdStillGivesTheClusterView() throws Exception {
    String status = "{\"id\":\"n2\",\"role\":\"leader\",\"term\":3,\"members\":[{\"lag\":2},{\"id\":\"n1\",\"lag\":5}]}";
    ServerSocket n2 = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(n2);
    Thread answering = new Thread(() -> answerEveryConnection(n2, status), "fake-n2");
    answering.setDaemon(true);
    answering.start();
    FakeRaftNode n1 = new FakeRaftNode(NodeId.of("n1"));
    n1.role = Role.FOLLOWER;
    n1.leader = NodeId.of("n2");
    KvHttpServer n1Server = KvHttpServer.start(anyLoopbackPort(), n1, n1.log,
        Map.of(NodeId.of("n1"), "127.0.0.1:0", NodeId.of("n2"), "127.0.0.1:" + n2.getLocalPort(),
            NodeId.of("n3"), "127.0.0.1:" + LoopbackPorts.takeOne()),
        KvHttpConfig.defaults().withPeerTimeout(PEER_TIMEOUT));
    open.add(n1Server);

    Answer answer = await().atMost(Duration.ofSeconds(60)).until(() -> cluster(n1Server),
        a -> a.member("n2").get("reachable").asBoolean());

    assertEquals("n2", answer.body().get("leader").asText());
    assertEquals(3, answer.body().get("term").asLong());
    assertEquals(5, answer.member("n1").get("lag").asLong());
    assertEquals(0, answer.member("n2").get("lag").asLong());
  }

  /** Answers each connection's request with {@code status} as JSON, until the socket is closed. */
  private static void answerEveryConnection(ServerSocket server, String status) {
    byte[] body = status.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    while (!server.isClosed()) {
      try (java.net.Socket s = server.accept()) {
        java.io.BufferedReader in = new java.io.BufferedReader(
            new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
          // the request's headers; a GET has no body
        }
        s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length
            + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().write(body);
      } catch (IOException e) {
        // closed by the test, or a client that went away: the next accept tells which
      }
    }
  }
}
