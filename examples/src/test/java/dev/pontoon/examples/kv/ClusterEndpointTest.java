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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
    KvHttpServer n1Server = startN1WithFakeN2(withBody(status), PEER_TIMEOUT);

    Answer answer = await().atMost(Duration.ofSeconds(60)).until(() -> cluster(n1Server),
        a -> a.member("n2").get("reachable").asBoolean());

    assertEquals("n2", answer.body().get("leader").asText());
    assertEquals(3, answer.body().get("term").asLong());
    assertEquals(5, answer.member("n1").get("lag").asLong());
    assertEquals(0, answer.member("n2").get("lag").asLong());
  }

  /**
   * A member's {@code /status} is read only up to {@link ClusterView#MAX_STATUS_BYTES}: a member
   * whose answer runs past it (here a well-formed status padded to twice the limit, sent without a
   * {@code Content-Length}, so only counting catches it) is shown unreachable, and the error names
   * the limit.
   */
  @Test
  void aMemberWhoseStatusRunsPastTheLimitIsUnreachableAndTheErrorNamesTheLimit() throws Exception {
    KvHttpServer n1 = startN1WithFakeN2(ClusterEndpointTest::streamStatusPastTheLimit, PEER_TIMEOUT);

    JsonNode n2 = cluster(n1).member("n2");

    assertFalse(n2.get("reachable").asBoolean(), "a status over the limit is not shown: " + abbreviated(n2));
    assertEquals("the /status answer is over the body limit of " + ClusterView.MAX_STATUS_BYTES + " bytes (more arrived)",
        n2.get("error").asText());
  }

  /**
   * An answer whose {@code Content-Length} is over {@link ClusterView#MAX_STATUS_BYTES} is refused
   * on its head: the member (which sends the head only, and holds the connection) is shown
   * unreachable at once, not after the peer timeout.
   */
  @Test
  void aMemberThatAnnouncesAStatusOverTheLimitIsUnreachableAtOnce() throws Exception {
    long announced = ClusterView.MAX_STATUS_BYTES + 1L;
    // A peer timeout far above the bound below, so that waiting it out cannot pass.
    KvHttpServer n1 = startN1WithFakeN2(socket -> {
      socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + announced
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      socket.getInputStream().transferTo(OutputStream.nullOutputStream()); // until n1 hangs up
    }, Duration.ofSeconds(40));

    Answer answer = cluster(n1);

    assertEquals("the /status answer is over the body limit of " + ClusterView.MAX_STATUS_BYTES
        + " bytes (its Content-Length is " + announced + ")", answer.member("n2").get("error").asText());
    assertTrue(answer.took().compareTo(Duration.ofSeconds(10)) < 0, "waited for a refused answer: " + answer.took());
  }

  private static String abbreviated(JsonNode member) {
    String text = member.toString();
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  /**
   * Starts {@code n1}, a follower of {@code n2}, where {@code n2} is a raw socket that reads each
   * request's head and answers with {@code reply}; {@code n3}'s port refuses connections.
   */
  private KvHttpServer startN1WithFakeN2(Reply reply, Duration peerTimeout) throws IOException {
    ServerSocket n2 = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(n2);
    Thread answering = new Thread(() -> answerEveryConnection(n2, reply), "fake-n2");
    answering.setDaemon(true);
    answering.start();
    FakeRaftNode n1 = new FakeRaftNode(NodeId.of("n1"));
    n1.role = Role.FOLLOWER;
    n1.leader = NodeId.of("n2");
    KvHttpServer n1Server = KvHttpServer.start(anyLoopbackPort(), n1, n1.log,
        Map.of(NodeId.of("n1"), "127.0.0.1:0", NodeId.of("n2"), "127.0.0.1:" + n2.getLocalPort(),
            NodeId.of("n3"), "127.0.0.1:" + LoopbackPorts.takeOne()),
        KvHttpConfig.defaults().withPeerTimeout(peerTimeout));
    open.add(n1Server);
    return n1Server;
  }

  /** What the fake {@code n2} does with one connection, once it has read the request's head. */
  private interface Reply {
    void on(Socket socket) throws IOException;
  }

  /** Answers with {@code status} as JSON, with its length, and closes. */
  private static Reply withBody(String status) {
    byte[] body = status.getBytes(StandardCharsets.UTF_8);
    return socket -> {
      socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
    };
  }

  /**
   * A well-formed status of twice {@link ClusterView#MAX_STATUS_BYTES}, without a length (the end
   * of the body is the end of the connection), in many short strings: only the total is too large.
   */
  private static void streamStatusPastTheLimit(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
    out.write("{\"id\":\"n2\",\"role\":\"follower\",\"term\":3,\"padding\":[".getBytes(StandardCharsets.UTF_8));
    byte[] padding = "\"padding\",".repeat(1000).getBytes(StandardCharsets.UTF_8);
    for (long sent = 0; sent <= 2L * ClusterView.MAX_STATUS_BYTES; sent += padding.length) {
      out.write(padding);
    }
    out.write("\"end\"]}".getBytes(StandardCharsets.UTF_8));
  }

  /** Reads each connection's request head and hands the connection to {@code reply}, until the socket is closed. */
  private static void answerEveryConnection(ServerSocket server, Reply reply) {
    while (!server.isClosed()) {
      try (Socket s = server.accept()) {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
          // the request's headers; a GET has no body
        }
        reply.on(s);
      } catch (IOException e) {
        // closed by the test, or a client that went away: the next accept tells which
      }
    }
  }
}
