package dev.pontoon.examples.container;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of one node's HTTP API that never follows redirects, so a test sees the follower's 307.
 * Every call is blocking and bounded by a request timeout; I/O failures (a killed or paused node)
 * surface as {@link UncheckedIOException}, which the callers' Awaitility polls ignore.
 */
final class KvHttp {

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  /** A node's {@code GET /status}, with the fields the tools read; -1 for a missing number. */
  record Status(String id, String role, long term, String leader, long commitIndex, long lastApplied,
      long lastLogIndex) {
    boolean isLeader() {
      return "leader".equals(role);
    }
  }

  record Reply(int code, String body, Optional<String> location) {}

  Status status(URI node) {
    Reply reply = send(HttpRequest.newBuilder(node.resolve("/status")).GET());
    if (reply.code() != 200) {
      throw new IllegalStateException("GET /status answered " + reply.code() + ": " + reply.body());
    }
    try {
      JsonNode json = JSON.readTree(reply.body());
      JsonNode leader = json.path("leader");
      return new Status(json.path("id").asText(), json.path("role").asText(), json.path("term").asLong(-1),
          leader.isNull() || leader.isMissingNode() ? null : leader.asText(),
          json.path("commit-index").asLong(-1), json.path("last-applied").asLong(-1),
          json.path("last-log-index").asLong(-1));
    } catch (IOException e) {
      throw new IllegalStateException("GET /status answered malformed JSON: " + reply.body(), e);
    }
  }

  /** The {@code value} field of a {@code GET /kv/{key}} answer's JSON body. */
  static String valueIn(Reply reply) {
    try {
      JsonNode value = JSON.readTree(reply.body()).path("value");
      if (!value.isTextual()) {
        throw new IllegalStateException("no text field 'value' in " + reply.body());
      }
      return value.asText();
    } catch (IOException e) {
      throw new IllegalStateException("malformed JSON in " + reply.body(), e);
    }
  }

  Reply put(URI node, String key, String value) {
    return send(HttpRequest.newBuilder(keyUri(node, key))
        .PUT(HttpRequest.BodyPublishers.ofString(value, StandardCharsets.UTF_8)));
  }

  Reply get(URI node, String key) {
    return send(HttpRequest.newBuilder(keyUri(node, key)).GET());
  }

  private static URI keyUri(URI node, String key) {
    return node.resolve("/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8));
  }

  private Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = client.send(request.timeout(REQUEST_TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new Reply(response.statusCode(), response.body(),
          response.headers().firstValue("Location"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
