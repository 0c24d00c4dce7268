package dev.pontoon.examples.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.examples.httptransport.BoundedAnswer;
import dev.pontoon.raft.NodeId;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
 * <p>The join target is trusted with the join, not with the token's destination:
 * <ol>
 *   <li>a redirect is followed only when it keeps the {@code --join} URL's scheme and points at a
 *       member's HTTP address as the {@code --join} member's {@code /status} lists it; any other
 *       {@code Location} (another host, {@code http://} from {@code https://}, no URI at all) is
 *       not asked, and the join stops with an error naming it;
 *   <li>each redirect waits the retry delay, and an attempt follows at most
 *       {@link #MAX_REDIRECTS}; then the joiner starts again from the {@code --join} member;
 *   <li>an answer longer than {@link #MAX_ANSWER_BYTES} is refused unread;
 *   <li>an exchange, its answer's body included, takes at most {@link #REQUEST_TIMEOUT}: a member
 *       that sends an answer's head and then stalls its body is hung up on once that has passed
 *       since the request was sent (the answer is read by a {@link BoundedAnswer}, as the KV
 *       node's {@code GET /cluster} reads members' {@code /status}), and the join is asked again
 *       from the {@code --join} member;
 *   <li>every failure is logged, and the last is kept for {@link #problem()}.
 * </ol>
 *
 * <p>{@link #members} blocks its caller, for at most {@link #REQUEST_TIMEOUT}. The join runs on one
 * daemon thread of its own, one exchange at a time, each bounded as above; {@link #close()} stops
 * it.
 */
final class Joiner implements AutoCloseable {
  /** The most redirects one attempt follows; a follower's 307 to the leader needs one. */
  static final int MAX_REDIRECTS = 5;
  /** The largest answer, in bytes, read from a member. */
  static final int MAX_ANSWER_BYTES = 1 << 20;
  /** The longest answer body quoted in a log line. */
  private static final int LOGGED_BODY_CHARS = 300;

  private static final Logger log = LoggerFactory.getLogger(Joiner.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RETRY = Duration.ofSeconds(1);
  /** How long one exchange with a member may take, its answer's body included. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

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
  private final Duration retry;
  private final Duration timeout;
  private volatile boolean joined;
  private volatile String problem;

  private Joiner(HttpClient client, URI origin, NodeId self, String body, String adminToken, Duration retry,
      Duration timeout) {
    this.client = client;
    this.origin = origin;
    this.self = self;
    this.body = body;
    this.adminToken = adminToken;
    this.retry = retry;
    this.timeout = timeout;
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
   * @throws IllegalStateException naming the member and the problem when it cannot be asked, its
   *     answer is over {@link #MAX_ANSWER_BYTES}, or the answer, its body included, is not complete
   *     within {@link #REQUEST_TIMEOUT}
   */
  static List<NodeSpec> members(URI join, SSLContext tls, boolean sharedPort) {
    return members(join, tls, sharedPort, REQUEST_TIMEOUT);
  }

  /** {@link #members(URI, SSLContext, boolean)}, with {@code timeout} for the exchange instead of {@link #REQUEST_TIMEOUT}. */
  static List<NodeSpec> members(URI join, SSLContext tls, boolean sharedPort, Duration timeout) {
    JsonNode status;
    try {
      status = status(client(tls), join, timeout);
    } catch (IOException e) {
      throw new IllegalStateException("--join " + join + ": cannot read its /status: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("--join " + join + ": interrupted", e);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("--join " + join + ": " + e.getMessage(), e);
    }
    List<NodeSpec> members = new ArrayList<>();
    try {
      for (JsonNode member : status.path("members")) {
        String http = member.path("http").asText(null);
        String raft = member.path("raft").asText(sharedPort ? http : null);
        if (member.path("id").isTextual() && http != null && raft != null) {
          members.add(new NodeSpec(NodeId.of(member.get("id").asText()), NodeSpec.address(http, "HTTP"),
              NodeSpec.address(raft, "Raft")));
        }
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("--join " + join + ": /status is not the status of a KV node: " + e.getMessage(), e);
    }
    if (members.isEmpty()) {
      throw new IllegalStateException("--join " + join + ": /status lists no member with addresses");
    }
    return members;
  }

  /**
   * {@code join}'s {@code GET /status}, parsed.
   *
   * @throws IllegalStateException when it does not answer 200 with JSON of at most {@link #MAX_ANSWER_BYTES}
   * @throws java.net.http.HttpTimeoutException when the answer, its body included, is not complete within {@code timeout}
   */
  private static JsonNode status(HttpClient client, URI join, Duration timeout) throws IOException, InterruptedException {
    Answer answer = Answer.of(client, HttpRequest.newBuilder(join.resolve("/status")).timeout(timeout).GET().build(),
        "/status", timeout);
    if (answer.status() != 200) {
      throw new IllegalStateException("/status answered " + answer.status());
    }
    try {
      return JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new IllegalStateException("/status is not the status of a KV node: " + e.getMessage(), e);
    }
  }

  /**
   * Starts asking {@code join} to add {@code self} as a voter at {@code http} and {@code raft}
   * ({@code host:port} as the other members must reach it).
   */
  static Joiner start(URI join, NodeId self, String http, String raft, SSLContext tls, String adminToken) {
    return start(join, self, http, raft, tls, adminToken, RETRY);
  }

  /** {@link #start(URI, NodeId, String, String, SSLContext, String)}, waiting {@code retry} before each repeat and redirect. */
  static Joiner start(URI join, NodeId self, String http, String raft, SSLContext tls, String adminToken,
      Duration retry) {
    return start(join, self, http, raft, tls, adminToken, retry, REQUEST_TIMEOUT);
  }

  /** {@link #start(URI, NodeId, String, String, SSLContext, String, Duration)}, with {@code timeout} for each exchange. */
  static Joiner start(URI join, NodeId self, String http, String raft, SSLContext tls, String adminToken,
      Duration retry, Duration timeout) {
    ObjectNode request = JSON.createObjectNode().put("id", self.value()).put("http", http).put("raft", raft)
        .put("role", "voter");
    Joiner joiner = new Joiner(client(tls), join.resolve("/admin/members"), self, request.toString(), adminToken, retry,
        timeout);
    joiner.thread.execute(() -> joiner.ask(joiner.origin, 0));
    return joiner;
  }

  /** Whether the cluster answered that this node is a voter. */
  boolean joined() {
    return joined;
  }

  /** What last went wrong, as logged (a refused redirect, an oversized answer, ...), or null. */
  String problem() {
    return problem;
  }

  /** Asks {@code target}, reached after {@code redirects} redirects in this attempt. */
  private void ask(URI target, int redirects) {
    URI next = target;
    try {
      Answer answer = send(target);
      int status = answer.status();
      if (status == 200) {
        joined = true;
        log.info("{} joined the cluster as a voter: {}", self, answer.logged());
        return;
      }
      if (status == 307 && answer.location() != null) {
        if (redirects < MAX_REDIRECTS) {
          URI redirect = member(target, answer.location());
          if (redirect == null) {
            return;
          }
          log.info("{}: {} redirects the join to {}", self, target.getAuthority(), redirect.getAuthority());
          schedule(redirect, redirects + 1);
          return;
        }
        next = origin;
        report(String.format("%s redirected the join more than %d times in a row; asking %s again",
            target.getAuthority(), MAX_REDIRECTS, origin.getAuthority()));
      } else if (status == 400 || status == 401 || status == 403 || status == 404) {
        report(String.format("the cluster refused to add it (%d from %s): %s", status, target, answer.logged()));
        return;
      } else {
        log.info("{}: join not done yet ({} from {}: {}); asking again", self, status, target.getAuthority(),
            answer.logged());
      }
    } catch (IOException e) {
      // A leader we were redirected to may be gone: start again from the member we were given.
      next = origin;
      log.info("{}: cannot reach {} to join ({}); asking {} again", self, target.getAuthority(), e.toString(),
          origin.getAuthority());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException e) {
      next = origin;
      problem = "asking " + target + " failed: " + e.getMessage();
      log.error("{}: asking {} to join failed; asking {} again", self, target, origin.getAuthority(), e);
    }
    schedule(next, 0);
  }

  /**
   * Where {@code location}, answered by {@code target}, points, if that is a member's HTTP address
   * over the {@code --join} URL's scheme; otherwise null, with the refusal reported.
   */
  private URI member(URI target, String location) throws IOException, InterruptedException {
    URI redirect;
    try {
      redirect = target.resolve(location);
    } catch (IllegalArgumentException e) {
      return refuse(target, location, "it is not a URI (" + e.getMessage() + ")");
    }
    if (!origin.getScheme().equalsIgnoreCase(redirect.getScheme())) {
      return refuse(target, location, "it leaves " + origin.getScheme() + "://");
    }
    if (!"/admin/members".equals(redirect.getPath())) {
      return refuse(target, location, "it asks for another path than /admin/members");
    }
    Set<String> members = memberHttpAddresses();
    // A Location may leave out the scheme's default port (https://kv2.example/...), /status never does.
    int port = redirect.getPort() != -1 ? redirect.getPort() : redirect.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    if (redirect.getHost() == null || !members.contains(hostPort(redirect.getHost(), port))) {
      return refuse(target, location, "it is no member's HTTP address (" + origin.getAuthority() + "/status lists "
          + members + ")");
    }
    return redirect;
  }

  private URI refuse(URI target, String location, String why) {
    report(String.format("not following %s's redirect to '%s': %s; the join stops, and the admin token was not sent"
        + " there", target.getAuthority(), location, why));
    return null;
  }

  /** The members' HTTP {@code host:port} as the {@code --join} member's {@code /status} lists them. */
  private Set<String> memberHttpAddresses() throws IOException, InterruptedException {
    Set<String> addresses = new TreeSet<>();
    for (JsonNode member : status(client, origin, timeout).path("members")) {
      String http = member.path("http").asText("");
      int colon = http.lastIndexOf(':');
      try {
        if (colon > 0) {
          addresses.add(hostPort(http.substring(0, colon), Integer.parseInt(http.substring(colon + 1))));
        }
      } catch (NumberFormatException e) {
        // not an address: no redirect goes there
      }
    }
    return addresses;
  }

  private static String hostPort(String host, int port) {
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return bare.toLowerCase(Locale.ROOT) + ":" + port;
  }

  private Answer send(URI target) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(timeout)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (adminToken != null) {
      request.header("Authorization", "Bearer " + adminToken);
    }
    return Answer.of(client, request.build(), target.toString(), timeout);
  }

  private void report(String message) {
    problem = message;
    log.error("{}: {}", self, message);
  }

  private void schedule(URI target, int redirects) {
    try {
      thread.schedule(() -> ask(target, redirects), retry.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }

  /**
   * A member's answer: its status, {@code Location} and body, read up to {@link #MAX_ANSWER_BYTES}
   * and within the exchange's timeout.
   */
  private record Answer(int status, String location, String body) {
    /**
     * Sends {@code request} (whose own timeout should be {@code timeout}) and reads its answer
     * with a {@link BoundedAnswer}, blocking until the answer is complete, refused or late.
     *
     * @param what names the request in the refusal's message
     * @throws IllegalStateException when the body is longer than {@link #MAX_ANSWER_BYTES}
     * @throws java.net.http.HttpTimeoutException when the answer, its body included, is not
     *     complete within {@code timeout} of sending
     */
    static Answer of(HttpClient client, HttpRequest request, String what, Duration timeout)
        throws IOException, InterruptedException {
      HttpResponse<byte[]> response;
      try {
        response = client.send(request, BoundedAnswer.handler("the answer to " + what, MAX_ANSWER_BYTES, timeout));
      } catch (IOException e) {
        if (BoundedAnswer.TooLarge.in(e) != null) {
          throw new IllegalStateException(what + " answered more than " + MAX_ANSWER_BYTES + " bytes; refused", e);
        }
        throw e;
      }
      return new Answer(response.statusCode(), response.headers().firstValue("Location").orElse(null),
          new String(response.body(), StandardCharsets.UTF_8));
    }

    /** The body as a log line quotes it. */
    String logged() {
      return body.length() <= LOGGED_BODY_CHARS ? body : body.substring(0, LOGGED_BODY_CHARS) + "...";
    }
  }
}
