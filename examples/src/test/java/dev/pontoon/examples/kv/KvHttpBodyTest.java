package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.HttpExchange.header;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How request bodies are read: a body the API cannot read exactly is refused with a 4xx and a JSON
 * error, and nothing is written. Over a loopback socket, against a {@link FakeRaftNode}.
 */
class KvHttpBodyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeRaftNode node = new FakeRaftNode();
  private final LoopbackHttp http = new LoopbackHttp(node, KvHttpConfig.defaults());

  @AfterEach
  void stop() {
    http.close();
  }

  private String error(String answer) throws IOException {
    return JSON.readTree(body(answer)).get("error").asText();
  }

  /** {@code before}, the byte {@code b}, then {@code after}, as UTF-8. */
  private static byte[] withByte(String before, int b, String after) {
    byte[] head = before.getBytes(StandardCharsets.UTF_8);
    byte[] tail = after.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length + 1 + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    all[head.length] = (byte) b;
    System.arraycopy(tail, 0, all, head.length + 1, tail.length);
    return all;
  }

  /**
   * A compare-and-set body is UTF-8 JSON, as a PUT's value is UTF-8: a body that is not (a 0xFF
   * byte in a string) is 400 rather than stored with U+FFFD in its place, and so is a value whose
   * JSON escapes make a lone surrogate, which no UTF-8 text holds. Nothing is written.
   */
  @Test
  void aCasBodyThatIsNotUtf8TextIs400() throws IOException {
    String notUtf8 = http.exchange(http.request("POST", "/kv/k/cas", withByte("{\"from\":null,\"to\":\"", 0xFF, "\"}")));
    String loneTo = http.exchange(http.request("POST", "/kv/k/cas", "{\"from\":null,\"to\":\"a\\ud800\"}"));
    String loneFrom = http.exchange(http.request("POST", "/kv/k/cas", "{\"from\":\"\\udc00\",\"to\":\"v\"}"));

    assertEquals(400, status(notUtf8), notUtf8);
    assertEquals("body must be UTF-8 text", error(notUtf8));
    assertEquals(400, status(loneTo), loneTo);
    assertEquals("\"to\" must be UTF-8 text", error(loneTo));
    assertEquals(400, status(loneFrom), loneFrom);
    assertEquals("\"from\" must be UTF-8 text", error(loneFrom));
    assertEquals(0, node.log.lastIndex(), "nothing written");
  }

  /**
   * A compare-and-set body is one JSON object: content after it, or a field given twice, is 400
   * naming what is wrong, rather than read as its first object or its last {@code "to"}. Nothing
   * is written.
   */
  @Test
  void aCasBodyWithTrailingContentOrADuplicateFieldIs400() throws IOException {
    String trailing = http.exchange(http.request("POST", "/kv/k/cas", "{\"from\":null,\"to\":\"v\"} {\"to\":\"w\"}"));
    String twice = http.exchange(http.request("POST", "/kv/k/cas", "{\"from\":null,\"to\":\"a\",\"to\":\"b\"}"));

    assertEquals(400, status(trailing), trailing);
    assertEquals("malformed JSON: content after the JSON value", error(trailing));
    assertEquals(400, status(twice), twice);
    assertEquals("malformed JSON: Duplicate field 'to'", error(twice));
    assertEquals(0, node.log.lastIndex(), "nothing written");
  }

  /**
   * A body announced above the server's limit is answered 413 with a JSON error, as every other
   * refusal is, and the connection is closed at once: the body is never read, so the connection
   * cannot be used for another request.
   */
  @Test
  void aBodyAboveTheLimitIs413WithAJsonErrorAndTheConnectionClosed() throws IOException {
    int limit = KvHttpConfig.defaults().maxBodyBytes();
    byte[] head = ("PUT /kv/k HTTP/1.1\r\nHost: 127.0.0.1:" + http.port() + "\r\nContent-Length: " + (limit + 1)
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    String answer = http.exchange(head); // returns once the server closes the connection

    assertEquals(413, status(answer), answer);
    assertEquals("close", header(answer, "Connection"), answer);
    assertEquals("request body exceeds " + limit + " bytes", error(answer));
    assertEquals(0, node.log.lastIndex(), "nothing written");
  }
}
