package dev.pontoon.examples.cluster;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;

/** A small blocking HTTP client for the KV API in tests: one that follows redirects, one that does not. */
final class HttpJson {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient FOLLOWING = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
      .connectTimeout(Duration.ofSeconds(2)).build();
  static final HttpClient DIRECT = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(2)).build();

  /** How long {@link #putRetrying} tries: several elections' worth on a loaded machine. */
  static final Duration RETRY_FOR = Duration.ofSeconds(30);

  private HttpJson() {}

  /**
   * PUT {@code body} at {@code url} through {@link #FOLLOWING}, tried again while the cluster is
   * between leaders: a 503 (no leader known), a 504 (leadership lost or no commit in time; the
   * write may still take effect) or no answer at all (a timeout, a refused connection). Returns the
   * first other answer, which the caller checks; fails if there is none within {@link #RETRY_FOR}.
   * A spontaneous election on a loaded machine is allowed by Raft, so tests that only need their
   * writes to happen use this. Only for writes that may take effect twice, as a PUT of a value.
   */
  static HttpResponse<String> putRetrying(String url, String body) {
    AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
    AtomicReference<String> lastMiss = new AtomicReference<>("none");
    try {
      await().atMost(RETRY_FOR).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).until(() -> {
        try {
          HttpResponse<String> response = send(FOLLOWING, "PUT", url, body);
          if (response.statusCode() == 503 || response.statusCode() == 504) {
            lastMiss.set(response.statusCode() + " " + response.body());
            return false;
          }
          answer.set(response);
          return true;
        } catch (UncheckedIOException e) {
          lastMiss.set(String.valueOf(e.getCause()));
          return false;
        }
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("PUT " + url + " found no leader within " + RETRY_FOR + "; last: " + lastMiss.get(), e);
    }
    return answer.get();
  }

  static HttpResponse<String> send(HttpClient client, String method, String url, String body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  /** GET {@code base}/status, or null when the node does not answer. */
  static JsonNode status(String base) {
    try {
      HttpResponse<String> response = send(DIRECT, "GET", base + "/status", null);
      return response.statusCode() == 200 ? json(response) : null;
    } catch (UncheckedIOException e) {
      return null;
    }
  }
}
