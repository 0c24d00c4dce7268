package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.HttpExchange.header;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a web page the user happens to visit can make the browser send to a KV node, and what the
 * node does with it: a request carrying another site's {@code Origin} is refused with 403 before
 * any handler (the admin endpoints, the KV writes, the shared {@code /raft/*} routes) sees it, and
 * a node on loopback answers 421 to a {@code Host} it does not answer to (DNS rebinding). The
 * members' own pages and clients that send no {@code Origin} (curl, the JDK client) are served as
 * before.
 */
class BrowserGuardTest {
  private static final String EVIL = "https://evil.example";
  private final FakeRaftNode node = new FakeRaftNode();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  /** What a {@code <form enctype=text/plain>} on another site makes the browser send. */
  private static String formPost(String path, String origin, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nOrigin: " + origin
        + "\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body;
  }

  private KvHttpServer startOnLoopback(KvHttpServer.SharedRoutes shared) {
    KvHttpServer server = KvHttpServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), node, node.log,
        Map.of(node.id(), "127.0.0.1:0"), KvHttpConfig.defaults(), shared);
    open.add(server);
    return server;
  }

  /** Sends {@code raw} (which asks for {@code Connection: close}) over a socket and reads the answer to its end. */
  private static String exchange(InetSocketAddress server, String raw) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getPort())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(raw.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String getWithHost(InetSocketAddress server, String path, String host) throws IOException {
    return exchange(server, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  /**
   * A page on another site posts to the admin endpoints and the KV API as a simple request
   * (text/plain, no preflight): each is refused with 403 naming the origin, the connection is
   * closed, and the node is not asked to transfer, change membership or write.
   */
  @Test
  void aRequestFromAnotherSitesOriginIsRefusedBeforeItReachesTheAdminEndpoints() {
    List<String> attempts = List.of(
        formPost("/admin/transfer-leadership/n2", EVIL, ""),
        formPost("/admin/members", EVIL, "{\"id\":\"evil\",\"http\":\"evil.example:80\"}"),
        formPost("/kv/k/cas", EVIL, "{\"from\":null,\"to\":\"owned\"}"),
        formPost("/kv/k/cas", "null", "{\"from\":null,\"to\":\"owned\"}"));
    for (String attempt : attempts) {
      HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults());

      String answer = http.send(attempt);

      assertEquals(403, status(answer), answer);
      assertEquals("close", header(answer, "Connection"), answer);
      assertTrue(body(answer).contains("origin"), answer);
      assertFalse(http.channel.isOpen(), "the connection is closed");
    }
    assertTrue(body(new HttpExchange(node, KvHttpConfig.defaults()).send(formPost("/kv/k", EVIL, "")))
        .contains(EVIL), "the error names the refused origin");
    assertNull(node.transferTarget, "no transfer started");
    assertEquals(List.of(), node.changes, "no membership change asked");
    assertEquals(0, node.log.lastIndex(), "nothing written");
  }

  /**
   * The shared routes ({@code /raft/*} of the HTTP transport) sit before the API's CORS handler:
   * a forged Raft message posted by another site's page never reaches them.
   */
  @Test
  void aPostFromAnotherSitesOriginNeverReachesTheRaftRoutes() throws IOException {
    List<String> seen = new CopyOnWriteArrayList<>();
    KvHttpServer server = startOnLoopback((pipeline, apiMaxBodyBytes) -> pipeline
        .addLast(new HttpObjectAggregator(apiMaxBodyBytes))
        .addLast(new SimpleChannelInboundHandler<FullHttpRequest>(false) {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (request.uri().startsWith("/raft/")) {
              seen.add(request.uri());
              request.release();
              HttpReplies.send(ctx, HttpReplies.json(HttpResponseStatus.OK, Map.of()), false);
            } else {
              ctx.fireChannelRead(request);
            }
          }
        }));
    String host = "127.0.0.1:" + server.address().getPort();
    String forged = "{\"type\":\"AppendEntries\",\"term\":99,\"leaderCommit\":7}";

    String answer = exchange(server.address(), "POST /raft/append HTTP/1.1\r\nHost: " + host + "\r\nOrigin: " + EVIL
        + "\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: " + forged.length() + "\r\n\r\n" + forged);

    assertEquals(403, status(answer), answer);
    assertEquals(List.of(), seen, "the shared routes saw the forged message");
    String fromAPeer = exchange(server.address(), "POST /raft/append HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}");
    assertEquals(200, status(fromAPeer), fromAPeer);
    assertEquals(List.of("/raft/append"), seen, "a peer's request (no Origin) still reaches them");
  }

  /**
   * A member's page calls another member's API across origins (a follower's 307 sends it to the
   * leader): the CORS preflight is answered and the call itself reaches the node.
   */
  @Test
  void theMembersOwnPagesStillCallEachOther() {
    HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults());
    String preflight = http.send("OPTIONS /admin/transfer-leadership/n2 HTTP/1.1\r\nHost: 127.0.0.1:8081\r\n"
        + "Origin: http://localhost:8082\r\nAccess-Control-Request-Method: POST\r\n\r\n");
    assertEquals(200, status(preflight), preflight);
    assertEquals("http://localhost:8082", header(preflight, "Access-Control-Allow-Origin"));

    http.send(formPost("/admin/transfer-leadership/n2", "http://127.0.0.1:8082", ""));
    assertEquals(NodeId.of("n2"), node.transferTarget, "the member's page reached the node");
    String put = http.send("PUT /kv/k HTTP/1.1\r\nHost: 127.0.0.1:8081\r\nOrigin: http://[::1]:8083\r\n"
        + "Content-Length: 1\r\n\r\nv");
    assertEquals(200, status(put), put);
    assertEquals("http://[::1]:8083", header(put, "Access-Control-Allow-Origin"));
  }

  /** Without an Origin (curl, the JDK client of the Raft transport, the joiner, the load tool) nothing changes. */
  @Test
  void requestsWithoutAnOriginAreServedAsBefore() throws IOException {
    HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults());
    assertEquals(200, status(http.send(HttpExchange.request("PUT", "/kv/k", "a"))));
    String casBody = "{\"from\":\"a\",\"to\":\"b\"}";
    String cas = http.send("POST /kv/k/cas HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\nContent-Length: "
        + casBody.length() + "\r\n\r\n" + casBody);
    assertEquals(200, status(cas), cas);
    assertTrue(http.channel.isOpen(), "the connection stays open");

    KvHttpServer server = startOnLoopback(null);
    String status = getWithHost(server.address(), "/status", "127.0.0.1:" + server.address().getPort());
    assertEquals(200, status(status), status);
  }

  /**
   * DNS rebinding: the attacker's name resolves to 127.0.0.1, so the browser sends same-origin
   * requests (no Origin) with {@code Host: attacker-name}. A loopback node answers 421 to any
   * Host but its loopback names, or a loopback name on another port.
   */
  @Test
  void aLoopbackNodeRefusesAHostNameItDoesNotAnswerTo() throws IOException {
    KvHttpServer server = startOnLoopback(null);
    int port = server.address().getPort();
    for (String host : List.of("rebind.evil.example:" + port, "rebind.evil.example", "localhost:" + (port == 1 ? 2 : 1),
        "127.0.0.1", "localhost.evil.example:" + port)) {
      for (String path : List.of("/kv/k", "/log", "/status")) {
        String answer = getWithHost(server.address(), path, host);

        assertEquals(421, status(answer), host + " " + path + ": " + answer);
        assertEquals("close", header(answer, "Connection"), answer);
        assertTrue(body(answer).contains(host), answer);
      }
    }
  }

  @Test
  void aLoopbackNodeAnswersLocalhostAnd127001() throws IOException {
    KvHttpServer server = startOnLoopback(null);
    int port = server.address().getPort();
    for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port, "[::1]:" + port)) {
      String answer = getWithHost(server.address(), "/status", host);

      assertEquals(200, status(answer), host + ": " + answer);
    }
  }

  /**
   * RFC 9112 §3.2: a server must answer 400 to an HTTP/1.1 request without Host. A loopback node
   * does (no browser sends one, so this is about not guessing); an HTTP/1.0 request, where Host is
   * optional, is served.
   */
  @Test
  void aLoopbackNodeAnswers400ToAnHttp11RequestWithoutHost() throws IOException {
    KvHttpServer server = startOnLoopback(null);

    String answer = exchange(server.address(), "GET /status HTTP/1.1\r\nConnection: close\r\n\r\n");

    assertEquals(400, status(answer), answer);
    String http10 = exchange(server.address(), "GET /status HTTP/1.0\r\n\r\n");
    assertTrue(http10.startsWith("HTTP/1.1 200 ") || http10.startsWith("HTTP/1.0 200 "), http10);
  }

  /** A node on another address cannot know the DNS names its clients use: it checks no Host. */
  @Test
  void aNodeNotOnLoopbackAnswersAnyHostName() throws IOException {
    KvHttpServer server = KvHttpServer.start(new InetSocketAddress(0), node, node.log,
        Map.of(node.id(), "node1.example:8081"), KvHttpConfig.defaults());
    open.add(server);

    String answer = getWithHost(server.address(), "/status", "kv.example.org");

    assertEquals(200, status(answer), answer);
  }
}
