package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the key in {@code /kv/{key}} is read: as a URI path segment (RFC 3986), percent-decoded to
 * UTF-8, so that distinct keys stay distinct. Over a loopback socket, against a {@link FakeRaftNode}.
 */
class KvHttpKeyDecodingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeRaftNode node = new FakeRaftNode();
  private final LoopbackHttp http = new LoopbackHttp(node, KvHttpConfig.defaults());

  @AfterEach
  void stop() {
    http.close();
  }

  private JsonNode answer(String method, String path, String body) throws IOException {
    return JSON.readTree(body(http.exchange(http.request(method, path, body))));
  }

  /**
   * A {@code +} in a path is a literal {@code +} (RFC 3986 §3.3); only a query written as a form
   * turns it into a space. So {@code /kv/a+b} and {@code /kv/a%2Bb} name the key "a+b", and
   * {@code /kv/a%20b} another key, "a b".
   */
  @Test
  void aPlusInTheKeyIsAPlusNotASpace() throws IOException {
    assertEquals("a+b", answer("PUT", "/kv/a+b", "plus").get("key").asText());
    assertEquals("a b", answer("PUT", "/kv/a%20b", "space").get("key").asText());

    assertEquals("plus", answer("GET", "/kv/a%2Bb", "").get("value").asText());
    assertEquals("plus", answer("GET", "/kv/a+b", "").get("value").asText());
    assertEquals("space", answer("GET", "/kv/a%20b", "").get("value").asText());
  }

  /**
   * A key is UTF-8 text: a percent-encoding that does not decode as UTF-8 ({@code %FF}, a
   * sequence cut short, an encoded surrogate) is answered 400, rather than decoded to U+FFFD,
   * which made {@code /kv/%FF} and {@code /kv/%FE} one key. Nothing is written.
   */
  @Test
  void aKeyWhosePercentEncodingIsNotUtf8Is400() throws IOException {
    for (String path : List.of("/kv/%FF", "/kv/%FE", "/kv/a%C3", "/kv/%ED%A0%80")) {
      String answer = http.exchange(http.request("PUT", path, "v"));

      assertEquals(400, status(answer), path);
      assertEquals("key must be UTF-8 text", JSON.readTree(body(answer)).get("error").asText(), path);
    }
    assertEquals(0, node.log.lastIndex(), "nothing written");
  }
}
