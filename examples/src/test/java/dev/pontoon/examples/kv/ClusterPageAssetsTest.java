package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.HttpExchange.header;
import static dev.pontoon.examples.kv.HttpExchange.request;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The cluster page as the node serves it: the HTML at {@code /} and its two assets, a policy that
 * lets the page load nothing from another site, the cross-origin rules that let one member's page
 * follow a redirect to another member, and {@code /status?log-tail=N} that {@code /cluster} asks
 * each member for. The page running in a browser is tested in {@code ClusterPageBrowserTest}.
 */
class ClusterPageAssetsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeRaftNode node = new FakeRaftNode();
  private final HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults());

  private static String get(HttpExchange http, String path, String... headers) {
    StringBuilder raw = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: test\r\n");
    for (String h : headers) {
      raw.append(h).append("\r\n");
    }
    return http.send(raw.append("\r\n").toString());
  }

  @Test
  void rootServesTheHtmlPageThatLoadsItsStylesheetAndScriptFromTheNode() {
    String page = get(http, "/");
    assertEquals(200, status(page));
    assertEquals("text/html; charset=utf-8", header(page, "Content-Type"));
    String html = body(page);
    assertTrue(html.contains("<html lang=\"en\">"), html);
    assertTrue(html.contains("href=\"/page/cluster.css\"") && html.contains("src=\"/page/cluster.js\""), html);
    assertEquals(200, status(get(http, "/page/cluster.css")));
    assertEquals("text/css; charset=utf-8", header(get(http, "/page/cluster.css"), "Content-Type"));
    String script = get(http, "/page/cluster.js");
    assertEquals(200, status(script));
    assertEquals("text/javascript; charset=utf-8", header(script, "Content-Type"));
    assertEquals(404, status(get(http, "/page/other.js")));
    assertEquals(405, status(http.send(request("POST", "/", ""))));
  }

  @Test
  void everyAssetCarriesAPolicyThatLoadsNothingFromOtherSitesAndCallsOnlyTheMembers() {
    for (String path : List.of("/", "/page/cluster.css", "/page/cluster.js")) {
      String answer = get(http, path);
      String policy = header(answer, "Content-Security-Policy");
      assertTrue(policy.startsWith("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"), policy);
      assertTrue(policy.contains("; connect-src 'self' http://127.0.0.1:8081 http://127.0.0.1:8082 http://127.0.0.1:8083;"),
          policy);
      assertFalse(policy.contains("*") || policy.contains("https:") || policy.contains("unsafe"), policy);
      assertEquals("nosniff", header(answer, "X-Content-Type-Options"));
    }
  }

  @Test
  void thePagesMarkupAndStylesheetNameNoOtherSite() {
    String html = body(get(http, "/"));
    Matcher links = Pattern.compile("(?:src|href)=\"([^\"]*)\"").matcher(html);
    int count = 0;
    while (links.find()) {
      String target = links.group(1);
      assertTrue(target.startsWith("/") && !target.startsWith("//") || target.startsWith("#") || target.equals("data:,"),
          "the page links to " + target);
      count++;
    }
    assertTrue(count >= 3, "links found: " + count);
    String css = body(get(http, "/page/cluster.css"));
    assertFalse(css.contains("url(") || css.contains("@import"), "the stylesheet loads something");
  }

  @Test
  void aMembersPageMayCallTheApiAcrossOriginsAndAnotherSiteMayNot() {
    String preflight = http.send("OPTIONS /kv/foo HTTP/1.1\r\nHost: 127.0.0.1:8082\r\nOrigin: http://127.0.0.1:8081\r\n"
        + "Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\n\r\n");
    assertEquals(200, status(preflight));
    assertEquals("http://127.0.0.1:8081", header(preflight, "Access-Control-Allow-Origin"));
    assertTrue(header(preflight, "Access-Control-Allow-Methods").contains("PUT"), preflight);
    String fromLocalhost = get(http, "/status", "Origin: http://localhost:8083");
    assertEquals("http://localhost:8083", header(fromLocalhost, "Access-Control-Allow-Origin"));

    String elsewhere = http.send("OPTIONS /kv/foo HTTP/1.1\r\nHost: 127.0.0.1:8082\r\nOrigin: http://example.org\r\n"
        + "Access-Control-Request-Method: PUT\r\n\r\n");
    assertEquals(403, status(elsewhere), elsewhere);
    assertNull(header(elsewhere, "Access-Control-Allow-Origin"), elsewhere);
    String read = get(new HttpExchange(new FakeRaftNode(), KvHttpConfig.defaults()), "/status", "Origin: http://example.org");
    assertEquals(403, status(read), "refused, not merely hidden from the page: " + read);
    assertNull(header(read, "Access-Control-Allow-Origin"));
  }

  @Test
  void statusWithALogTailListsTheLastEntriesIndexTermAndKind() throws Exception {
    for (int i = 0; i < 5; i++) {
      http.send(request("PUT", "/kv/k" + i, "v"));
    }
    JsonNode status = JSON.readTree(body(get(http, "/status?log-tail=3")));
    assertEquals(5, status.get("last-log-index").asLong());
    JsonNode log = status.get("log");
    assertEquals(1, log.get("first-index").asLong());
    assertEquals(5, log.get("last-index").asLong());
    assertEquals(List.of(3L, 4L, 5L), log.get("entries").findValues("index").stream().map(JsonNode::asLong).toList());
    assertEquals("{\"index\":5,\"term\":1,\"kind\":\"command\"}", log.get("entries").get(2).toString());
    assertFalse(JSON.readTree(body(get(http, "/status"))).has("log"), "no tail unless asked");
    assertEquals(400, status(get(http, "/status?log-tail=101")));
    assertEquals(400, status(get(http, "/status?log-tail=x")));
  }
}
