package dev.pontoon.examples.linearizability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.raft.engine.linearizability.History;
import dev.pontoon.raft.engine.linearizability.KvModel;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * Concurrent clients of the KV service's HTTP API that record what they asked and were told in a
 * {@link History}, for the linearizability checker: reads, writes, compare-and-sets and deletes on
 * a few keys, each sent to a random node, following the 307s of followers to the leader.
 *
 * <p>How an answer is recorded: a 200 (or a 404 for a read, a 409 for a compare-and-set that did
 * not swap) completes the operation with what it said; a request that never reached a node
 * (connection refused), a redirect loop, and a 503 "no leader known" (answered before anything was
 * proposed) did not take effect; anything else — a 504, another 503, a timeout, a connection lost
 * midway — leaves the outcome unknown, as it is.
 */
public final class KvHttpClients {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Supplier<List<String>> nodes;
  private final int keys;
  private final HttpClient http;
  private final Duration requestTimeout;
  private final History<KvModel.Input, String> history = new History<>();

  /**
   * @param nodes the nodes' base URLs ({@code http://host:port}), asked again before each request
   *     (a restarted container may listen on another port)
   * @param keys how many keys the clients share
   * @param requestTimeout how long a client waits for an answer before the outcome is unknown
   */
  public KvHttpClients(Supplier<List<String>> nodes, int keys, Duration requestTimeout) {
    this.nodes = nodes;
    this.keys = keys;
    this.requestTimeout = requestTimeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(1)).build();
  }

  /** What the clients recorded so far. */
  public History<KvModel.Input, String> history() {
    return history;
  }

  /**
   * Runs {@code clients} clients until {@code deadlineNanos} ({@link System#nanoTime()}); returns
   * once every one has finished its last operation.
   */
  public void runUntil(int clients, long deadlineNanos, long seed) {
    try (Running running = start(clients, seed)) {
      running.awaitDeadline(deadlineNanos);
    }
  }

  /** Starts {@code clients} clients in the background; they run until {@link Running#close()}. */
  public Running start(int clients, long seed) {
    return new Running(clients, seed);
  }

  /** Clients running in the background. */
  public final class Running implements AutoCloseable {
    private final ExecutorService pool;
    private final List<CompletableFuture<Void>> clients = new ArrayList<>();
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile boolean stopped;

    private Running(int count, long seed) {
      pool = Executors.newFixedThreadPool(count);
      for (int c = 0; c < count; c++) {
        int client = c;
        SplittableRandom random = new SplittableRandom(seed * 1_000 + c);
        clients.add(CompletableFuture.runAsync(() -> runClient(client, random, this), pool));
      }
    }

    private boolean running() {
      return !stopped && System.nanoTime() - deadlineNanos < 0;
    }

    /** Lets the clients run until {@code deadline} ({@link System#nanoTime()}), and waits for them. */
    private void awaitDeadline(long deadline) {
      deadlineNanos = deadline;
      CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
    }

    /** Stops the clients after their current operations and waits for them. */
    @Override
    public void close() {
      stopped = true;
      try {
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).join();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private void runClient(int client, SplittableRandom random, Running run) {
    String[] seen = new String[keys];
    for (int n = 0; run.running(); n++) {
      int k = random.nextInt(keys);
      String key = "k" + k;
      String value = "c" + client + "-" + n;
      int dice = random.nextInt(100);
      KvModel.Input input;
      if (dice < 45) {
        input = new KvModel.Get(key);
      } else if (dice < 75) {
        input = new KvModel.Put(key, value);
      } else if (dice < 95) {
        input = new KvModel.CompareAndSet(key, random.nextInt(5) == 0 ? null : seen[k], value);
      } else {
        input = new KvModel.Delete(key);
      }
      List<String> bases = nodes.get();
      String output = call(client, bases.get(random.nextInt(bases.size())), input);
      if (input instanceof KvModel.Get) {
        seen[k] = output;
      } else if (input instanceof KvModel.Put p && output != null) {
        seen[k] = p.value();
      } else if (input instanceof KvModel.CompareAndSet cas && KvModel.SWAPPED.equals(output)) {
        seen[k] = cas.value();
      }
    }
  }

  /** Sends {@code input} to {@code base}, recording it; returns the output when it completed, else null. */
  private String call(int client, String base, KvModel.Input input) {
    HttpRequest request = request(base, input);
    long id = history.invoke(client, input);
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException | HttpConnectTimeoutException e) {
      history.fail(id); // it never reached a node
      return null;
    } catch (IOException e) {
      return null; // sent, and no answer: unknown
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
    int code = response.statusCode();
    String output = switch (code) {
      case 200 -> input instanceof KvModel.Get ? value(response)
          : input instanceof KvModel.CompareAndSet ? KvModel.SWAPPED : "OK";
      case 404 -> input instanceof KvModel.Get ? null : "unexpected";
      case 409 -> input instanceof KvModel.CompareAndSet ? KvModel.NOT_SWAPPED : "unexpected";
      default -> "unexpected";
    };
    if (code == 200 || (code == 404 && input instanceof KvModel.Get)
        || (code == 409 && input instanceof KvModel.CompareAndSet)) {
      history.complete(id, output);
      return output;
    }
    if (code == 307 || (code == 503 && response.body().contains("no leader known"))) {
      history.fail(id); // refused before anything was proposed
    }
    return null;
  }

  private HttpRequest request(String base, KvModel.Input input) {
    String url = base + "/kv/" + input.key();
    HttpRequest.Builder b = HttpRequest.newBuilder().timeout(requestTimeout);
    if (input instanceof KvModel.Get) {
      return b.uri(URI.create(url)).GET().build();
    } else if (input instanceof KvModel.Put p) {
      return b.uri(URI.create(url)).PUT(HttpRequest.BodyPublishers.ofString(p.value())).build();
    } else if (input instanceof KvModel.Delete) {
      return b.uri(URI.create(url)).DELETE().build();
    }
    KvModel.CompareAndSet cas = (KvModel.CompareAndSet) input;
    ObjectNode body = JSON.createObjectNode();
    if (cas.expected() == null) {
      body.putNull("from");
    } else {
      body.put("from", cas.expected());
    }
    body.put("to", cas.value());
    return b.uri(URI.create(url + "/cas")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
  }

  private static String value(HttpResponse<String> response) {
    try {
      JsonNode json = JSON.readTree(response.body());
      return json.get("value").asText();
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }
}
