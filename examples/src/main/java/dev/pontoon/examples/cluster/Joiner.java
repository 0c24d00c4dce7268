package dev.pontoon.examples.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.raft.NodeId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@code pontoon-kv node --join URL} joins a running cluster: it reads the members from any
 * member's {@code GET /status} (so that the new node can reach them, and they it), then, once the
 * node runs, asks the cluster to add it with {@code POST /admin/members} and role {@code voter}:
 * the leader adds it as a learner and promotes it once it has caught up.
 *
 * <p>The request follows 307 redirects to the leader and is sent again after a second while the
 * answer says to retry (409: another change in flight; 503: no leader, or not caught up yet; 504;
 * or the member is unreachable): the endpoint is idempotent, so a repeat after a lost answer is
 * harmless. It stops on 200 (joined) or on an answer that will not change (400, 401, 403, 404),
 * logged as an error. With an admin token file, the request carries its bearer token.
 *
 * <p>Runs on one daemon thread of its own; {@link #close()} stops it.
 */
final class Joiner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Joiner.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RETRY = Duration.ofSeconds(1);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient client;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pontoon-kv-join");
    t.setDaemon(true);
    return t;
  });
  private final String body;
  private final String adminToken;
  private final NodeId self;
  private final URI origin;
  private volatile boolean joined;

  private Joiner(HttpClient client, URI origin, NodeId self, String body, String adminToken) {
    this.client = client;
    this.origin = origin;
    this.self = self;
    this.body = body;
    this.adminToken = adminToken;
  }

  static HttpClient client(SSLContext tls) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      builder.sslContext(tls);
    }
    return builder.build();
  }

  /**
   * The members {@code join}'s {@code GET /status} lists, with their HTTP and Raft addresses;
   * members whose addresses it does not show are left out (the node learns them from the
   * configuration once it receives the log).
   *
   * @param sharedPort whether members serve Raft on their HTTP address (the HTTP/JSON transport),
   *     so that a member shown without a Raft address is reached there
   * @throws IllegalStateException naming the member and the problem when it cannot be asked
   */
  static List<NodeSpec> members(URI join, SSLContext tls, boolean sharedPort) {
    HttpResponse<String> response;
    try {
      response = client(tls).send(HttpRequest.newBuilder(join.resolve("/status")).timeout(REQUEST_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("--join " + join + ": cannot read its /status: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("--join " + join + ": interrupted", e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException("--join " + join + ": /status answered " + response.statusCode());
    }
    List<NodeSpec> members = new ArrayList<>();
    try {
      for (JsonNode member : JSON.readTree(response.body()).path("members")) {
        String http = member.path("http").asText(null);
        String raft = member.path("raft").asText(sharedPort ? http : null);
        if (member.path("id").isTextual() && http != null && raft != null) {
          members.add(new NodeSpec(NodeId.of(member.get("id").asText()), NodeSpec.address(http, "HTTP"),
              NodeSpec.address(raft, "Raft")));
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("--join " + join + ": /status is not the status of a KV node: " + e.getMessage(), e);
    }
    if (members.isEmpty()) {
      throw new IllegalStateException("--join " + join + ": /status lists no member with addresses");
    }
    return members;
  }

  /**
   * Starts asking {@code join} to add {@code self} as a voter at {@code http} and {@code raft}
   * ({@code host:port} as the other members must reach it).
   */
  static Joiner start(URI join, NodeId self, String http, String raft, SSLContext tls, String adminToken) {
    ObjectNode request = JSON.createObjectNode().put("id", self.value()).put("http", http).put("raft", raft)
        .put("role", "voter");
    Joiner joiner = new Joiner(client(tls), join.resolve("/admin/members"), self, request.toString(), adminToken);
    joiner.thread.execute(() -> joiner.ask(joiner.origin));
    return joiner;
  }

  /** Whether the cluster answered that this node is a voter. */
  boolean joined() {
    return joined;
  }

  private void ask(URI target) {
    URI next = target;
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(REQUEST_TIMEOUT)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
      if (adminToken != null) {
        request.header("Authorization", "Bearer " + adminToken);
      }
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      if (status == 200) {
        joined = true;
        log.info("{} joined the cluster as a voter: {}", self, response.body());
        return;
      }
      if (status == 307 && response.headers().firstValue("Location").isPresent()) {
        next = target.resolve(response.headers().firstValue("Location").get());
        log.info("{}: {} redirects the join to {}", self, target.getAuthority(), next.getAuthority());
        URI redirected = next;
        thread.execute(() -> ask(redirected));
        return;
      }
      if (status == 400 || status == 401 || status == 403 || status == 404) {
        log.error("{}: the cluster refused to add it ({} from {}): {}", self, status, target, response.body());
        return;
      }
      log.info("{}: join not done yet ({} from {}: {}); asking again", self, status, target.getAuthority(),
          response.body());
    } catch (IOException e) {
      // A leader we were redirected to may be gone: start again from the member we were given.
      next = origin;
      log.info("{}: cannot reach {} to join ({}); asking {} again", self, target.getAuthority(), e.toString(),
          origin.getAuthority());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    URI again = next;
    try {
      thread.schedule(() -> ask(again), RETRY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
