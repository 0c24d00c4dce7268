package dev.pontoon.examples.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KV cluster with the certificates {@code pontoon-kv cluster --tls} makes: mutual TLS between
 * the nodes, HTTPS for clients (redirects stay on HTTPS), the cluster view gathered from the peers
 * over HTTPS, and admin endpoints (the leadership transfer among them) behind a bearer token.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KvTlsClusterTest {
  private static final String TOKEN = "admin-token-for-the-tls-cluster-test";
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<KvNode> nodes = new ArrayList<>();
  private HttpClient following;
  private HttpClient direct;

  @BeforeAll
  void startCluster(@TempDir Path dir) throws Exception {
    List<NodeSpec> members = FreePorts.members();
    Map<NodeId, List<String>> flags = LocalCluster.tlsFlags(dir, members, true);
    Path token = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
    for (NodeSpec m : members) {
      List<String> f = flags.get(m.id());
      NodeSecurity security = new NodeSecurity(Path.of(f.get(1)), Path.of(f.get(3)), Path.of(f.get(5)), token, false,
          false);
      nodes.add(KvNode.start(m.id(), members, dir.resolve(m.id().value()), "netty", 0, security));
    }
    SSLContext trustCa = trusting(dir.resolve("tls").resolve("ca.pem"));
    following = HttpClient.newBuilder().sslContext(trustCa).followRedirects(HttpClient.Redirect.NORMAL).build();
    direct = HttpClient.newBuilder().sslContext(trustCa).followRedirects(HttpClient.Redirect.NEVER).build();
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream()
        .anyMatch(n -> n.raft().status().role() == Role.LEADER));
  }

  @AfterAll
  void stopCluster() {
    nodes.forEach(KvNode::close);
  }

  private static String base(KvNode node) {
    return "https://127.0.0.1:" + node.httpAddress().getPort();
  }

  private KvNode follower() {
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream()
        .anyMatch(n -> n.raft().status().role() == Role.FOLLOWER && n.raft().status().leader() != null));
    return nodes.stream().filter(n -> n.raft().status().role() == Role.FOLLOWER && n.raft().status().leader() != null)
        .findFirst().orElseThrow();
  }

  @Test
  void writesReplicateOverMutualTlsAndClientsUseHttpsThroughout() {
    KvNode follower = follower();
    HttpResponse<String> redirect = send(direct, "PUT", base(follower) + "/kv/color", "blue", null);
    assertEquals(307, redirect.statusCode());
    assertTrue(redirect.headers().firstValue("Location").orElseThrow().startsWith("https://"), redirect.headers().toString());
    assertEquals(200, send(following, "PUT", base(follower) + "/kv/color", "blue", null).statusCode());
    for (KvNode node : nodes) {
      HttpResponse<String> get = send(following, "GET", base(node) + "/kv/color", null, null);
      assertEquals(200, get.statusCode(), get.body());
      assertTrue(get.body().contains("\"blue\""), get.body());
    }
  }

  @Test
  void adminEndpointsAnswer401WithoutTheTokenAnd200WithIt() {
    KvNode node = nodes.get(0);
    assertEquals(401, send(direct, "GET", base(node) + "/admin/ping", null, null).statusCode());
    assertEquals(401, send(direct, "POST", base(node) + "/admin/transfer-leadership/n2", "", "Bearer nope").statusCode());
    assertEquals(200, send(direct, "GET", base(node) + "/admin/ping", null, "Bearer " + TOKEN).statusCode());
  }

  @Test
  void theClusterViewAsksThePeersOverHttpsAndShowsEveryMemberReachable() {
    for (KvNode node : nodes) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
        HttpResponse<String> answer = send(direct, "GET", base(node) + "/cluster?log-tail=4", null, null);
        assertEquals(200, answer.statusCode(), answer.body());
        JsonNode view = JSON.readTree(answer.body());
        assertFalse(view.get("leader").isNull(), answer.body());
        assertEquals(3, view.get("members").size(), answer.body());
        for (JsonNode member : view.get("members")) {
          assertTrue(member.get("reachable").asBoolean(), "over HTTPS with the cluster's CA: " + member);
          assertTrue(member.has("log"), member.toString());
        }
      });
    }
  }

  @Test
  void theClusterPageIsServedOverHttpsAndAddressesTheMembersOverHttps() {
    HttpResponse<String> page = send(direct, "GET", base(nodes.get(0)) + "/", null, null);
    assertEquals(200, page.statusCode());
    String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    for (KvNode node : nodes) {
      assertTrue(policy.contains(" https://127.0.0.1:" + node.httpAddress().getPort()), policy);
    }
    assertFalse(policy.contains("http://"), policy);
    HttpResponse<String> preflight = send(direct, "OPTIONS", base(nodes.get(1)) + "/kv/x", null, null,
        "Origin", base(nodes.get(0)), "Access-Control-Request-Method", "PUT");
    assertEquals(base(nodes.get(0)), preflight.headers().firstValue("Access-Control-Allow-Origin").orElse(null),
        preflight.headers().toString());
  }

  @Test
  void transferLeadershipWithTheTokenHandsLeadershipOver() {
    KvNode leader = await().atMost(Duration.ofSeconds(30)).until(
        () -> nodes.stream().filter(n -> n.raft().status().role() == Role.LEADER).findFirst().orElse(null),
        java.util.Objects::nonNull);
    KvNode target = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
    String id = target.raft().status().id().value();
    assertEquals(401, send(direct, "POST", base(leader) + "/admin/transfer-leadership/" + id, "", null).statusCode());
    assertEquals(Role.LEADER, leader.raft().status().role(), "a refused transfer changes nothing");
    HttpResponse<String> done = send(direct, "POST", base(leader) + "/admin/transfer-leadership/" + id, "",
        "Bearer " + TOKEN);
    assertEquals(200, done.statusCode(), done.body());
    assertTrue(done.body().contains("\"leader\":\"" + id + "\""), done.body());
  }

  @Test
  void plainHttpClientCannotTalkToTheHttpsPort() {
    String plain = "http://127.0.0.1:" + nodes.get(0).httpAddress().getPort() + "/status";
    assertThrows(UncheckedIOException.class, () -> send(HttpClient.newHttpClient(), "GET", plain, null, null));
  }

  private static HttpResponse<String> send(HttpClient client, String method, String url, String body,
      String authorization, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext trusting(Path caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caPem)) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }
}
