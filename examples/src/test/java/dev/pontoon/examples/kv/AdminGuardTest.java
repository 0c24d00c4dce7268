package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.header;
import static dev.pontoon.examples.kv.HttpExchange.request;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNodeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every path under {@code /admin/} goes through the {@link AdminGuard} first: without what it
 * requires, 401 and nothing changes; request sizes are bounded with the matching status codes.
 */
class AdminGuardTest {
  private static final String TOKEN = "s3cret-admin-token-0123456789";
  private final FakeRaftNode node = new FakeRaftNode();

  private HttpExchange guarded(Path dir) throws IOException {
    return new HttpExchange(node, KvHttpConfig.defaults(),
        AdminGuard.of(Files.writeString(dir.resolve("admin.token"), TOKEN + "\n"), false));
  }

  private static String withAuthorization(String method, String path, String authorization) {
    return method + " " + path + " HTTP/1.1\r\nHost: test\r\nAuthorization: " + authorization
        + "\r\nContent-Length: 0\r\n\r\n";
  }

  @Test
  void adminRequestWithoutTheTokenIs401AndChangesNothing(@TempDir Path dir) throws IOException {
    HttpExchange http = guarded(dir);
    RaftNodeStatus before = node.status();
    for (String raw : new String[] {request("GET", "/admin/ping", ""),
        request("POST", "/admin/transfer-leadership/n2", ""),
        withAuthorization("POST", "/admin/transfer-leadership/n2", "Bearer wrong-token-0123456789"),
        withAuthorization("GET", "/admin/ping", "Basic " + TOKEN)}) {
      String answer = http.send(raw);
      assertEquals(401, status(answer), raw);
      assertEquals("Bearer realm=\"pontoon-kv admin\"", header(answer, "WWW-Authenticate"));
    }
    assertEquals(before, node.status(), "nothing changed");
    assertNull(node.transferTarget, "no leadership transfer was started");
  }

  @Test
  void transferLeadershipWithTheTokenIsServed(@TempDir Path dir) throws IOException {
    HttpExchange http = guarded(dir);
    node.transfer = CompletableFuture.completedFuture(null);
    String answer = http.send(withAuthorization("POST", "/admin/transfer-leadership/n2", "Bearer " + TOKEN));
    assertEquals(200, status(answer), answer);
    assertEquals(NodeId.of("n2"), node.transferTarget);
  }

  @Test
  void theGuardComesBeforeTheMethodAndTheMemberAreLookedAt(@TempDir Path dir) throws IOException {
    HttpExchange http = guarded(dir);
    assertEquals(401, status(http.send(request("GET", "/admin/transfer-leadership/n2", ""))), "not 405");
    assertEquals(401, status(http.send(request("POST", "/admin/transfer-leadership/n9", ""))), "not 404");
    assertNull(node.transferTarget);
  }

  @Test
  void adminRequestWithTheTokenIsServed(@TempDir Path dir) throws IOException {
    HttpExchange http = guarded(dir);
    assertEquals(200, status(http.send(withAuthorization("GET", "/admin/ping", "Bearer " + TOKEN))));
    assertEquals(404, status(http.send(withAuthorization("GET", "/admin/nothing", "Bearer " + TOKEN))),
        "only an authorized client learns which admin paths exist");
  }

  @Test
  void nonAdminPathsNeedNoToken(@TempDir Path dir) throws IOException {
    assertEquals(200, status(guarded(dir).send(request("GET", "/status", ""))));
  }

  @Test
  void clientCertificateGuardRefusesAPlainConnection() throws IOException {
    HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults(), AdminGuard.of(null, true));
    assertEquals(401, status(http.send(request("GET", "/admin/ping", ""))));
  }

  @Test
  void shortTokenAndNoGuardAtAllAreRefusedWithTheRule(@TempDir Path dir) throws IOException {
    Path shortToken = Files.writeString(dir.resolve("short.token"), "abc");
    assertEquals("the admin token in " + shortToken + " has 3 characters; at least 16 are needed",
        assertThrows(IllegalArgumentException.class, () -> AdminGuard.of(shortToken, false)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> AdminGuard.of(null, false));
    assertFalse(AdminGuard.unguarded().guarded());
    assertFalse(AdminGuard.of(Files.writeString(dir.resolve("t"), TOKEN), false).toString().contains(TOKEN));
  }

  @Test
  void headersAboveEightKibAre431AndARequestLineAboveFourKibIs414() {
    HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults());
    String bigHeader = "GET /status HTTP/1.1\r\nHost: test\r\nX-Padding: " + "a".repeat(9000) + "\r\n\r\n";
    assertEquals(431, status(http.send(bigHeader)));
    HttpExchange again = new HttpExchange(node, KvHttpConfig.defaults());
    String longLine = "GET /kv/" + "k".repeat(5000) + " HTTP/1.1\r\nHost: test\r\n\r\n";
    assertEquals(414, status(again.send(longLine)));
    assertTrue(node.log.lastIndex() == 0, "nothing was written");
  }
}
