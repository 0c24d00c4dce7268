package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpReplies.JSON;
import static dev.pontoon.examples.kv.HttpReplies.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.examples.httptransport.BoundedAnswer;
import dev.pontoon.raft.NodeId;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * {@code GET /cluster[?log-tail=N]}: the whole cluster as one member sees it, for the cluster page.
 * The node answers with its own {@code /status} and asks every other member of its configuration
 * for theirs ({@code GET /status?log-tail=N}) in parallel, over the node's own scheme (HTTPS when
 * the node serves HTTPS: every member is assumed to serve the same), waiting at most
 * {@link KvHttpConfig#peerTimeout()} for each: a member that refuses, fails or is slow is shown as
 * unreachable with the reason, so the answer never takes much longer than that timeout. A member's
 * answer is read only up to {@link #MAX_STATUS_BYTES} and within the peer timeout, its body
 * included (see {@link BoundedAnswer}): one that is larger is shown as unreachable with an error
 * naming the limit, and one whose body stalls as one that did not answer; either way the node
 * hangs up on it, so a misbehaving member can make it hold neither an answer of any size nor a
 * connection for ever.
 *
 * <p>The answer: {@code id} (the member that answered), {@code leader} and {@code term} (the
 * reachable member that calls itself leader at the highest term, and that term; null when none
 * does), {@code peer-timeout-ms}, and {@code members}, in configuration order. A reachable member
 * carries the fields of its {@code /status} (without {@code members}), {@code reachable: true} and
 * {@code lag}: how many entries it is behind the leader's last index, from the leader's own
 * progress view (0 for the leader, null when no leader answered). An unreachable member carries
 * {@code id}, {@code http}, {@code reachable: false} and {@code error}.
 *
 * <p>Over HTTPS the peers' certificates are checked against {@code peerTls} (for the KV node: the
 * cluster's CA) and must name the host of the member's HTTP address, as for any HTTPS client; a
 * peer that fails the check is shown as unreachable with the TLS error. No client certificate is
 * presented: {@code /status} needs none.
 *
 * <p><b>Threading.</b> Called on the asking channel's Netty event loop; never blocks it: the peers
 * are asked through a JDK {@link HttpClient}, created on the first request (Java 17's client cannot
 * be closed; its threads end once it is no longer referenced). The per-member timeouts are
 * scheduled on that event loop, and the answer is built there and completes there, so the reply is
 * written on the loop: no work lands on the JDK's shared {@code CompletableFuture} timer thread
 * (which would delay every other timeout in the JVM) or on the HTTP client's threads.
 */
final class ClusterView {
  /** Entries of each member's log tail when the request names none: one strip on the page. */
  static final int DEFAULT_LOG_TAIL = 24;
  /**
   * The largest {@code /status} answer read from a member: a status with the longest log tail is a
   * few kilobytes per member, so this leaves ample room and still bounds what one member can make
   * this node hold.
   */
  static final int MAX_STATUS_BYTES = 1 << 20;
  private final NodePages pages;
  private final PeerDirectory peers;
  private final Duration peerTimeout;
  private final SSLContext peerTls;
  private volatile HttpClient client;

  /**
   * @param peerTls what the fan-out trusts when {@code peers} are {@code https}; null for the JDK's
   *     default trust store. Unused over plain HTTP.
   */
  ClusterView(NodePages pages, PeerDirectory peers, KvHttpConfig config, SSLContext peerTls) {
    this.pages = pages;
    this.peers = peers;
    this.peerTimeout = config.peerTimeout();
    this.peerTls = peerTls;
  }

  /**
   * The answer to {@code GET /cluster}; completes on {@code loop} within about the peer timeout,
   * exceptionally only when {@code loop} is shut down.
   *
   * @param loop the event loop of the channel that asked, the thread this is called on
   */
  CompletableFuture<FullHttpResponse> gather(Map<String, List<String>> parameters, EventExecutor loop) {
    int logTail = parameters.containsKey("log-tail") ? NodePages.logTail(parameters) : DEFAULT_LOG_TAIL;
    ObjectNode self = JSON.valueToTree(pages.statusBody(logTail));
    String selfId = self.get("id").asText();
    List<CompletableFuture<ObjectNode>> answers = new ArrayList<>();
    for (JsonNode member : self.get("members")) {
      String id = member.get("id").asText();
      answers.add(id.equals(selfId) ? CompletableFuture.completedFuture(self.deepCopy()) : ask(NodeId.of(id), logTail, loop));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApplyAsync(done -> json(HttpResponseStatus.OK, render(selfId, answers.stream().map(CompletableFuture::join).toList())),
            loop);
  }

  /**
   * One member's {@code /status}, or an unreachable entry saying why; completes within the peer
   * timeout, on {@code loop} when the timeout does it.
   */
  private CompletableFuture<ObjectNode> ask(NodeId id, int logTail, EventExecutor loop) {
    String address = peers.httpAddress(id).orElse(null);
    if (address == null) {
      return CompletableFuture.completedFuture(unreachable(id, null, "no HTTP address known for " + id));
    }
    CompletableFuture<ObjectNode> answer;
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create(peers.scheme() + "://" + address + "/status?log-tail=" + logTail))
          .timeout(peerTimeout).GET().build();
      answer = client().sendAsync(request, BoundedAnswer.handler("the /status answer", MAX_STATUS_BYTES, peerTimeout))
          .thenApply(response -> parse(id, address, response))
          .exceptionally(failure -> unreachable(id, address, describe(failure)));
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(unreachable(id, address, "bad HTTP address: " + e.getMessage()));
    }
    // Not completeOnTimeout: its timer is the JDK's one shared thread, and the answer's
    // continuations would run on it.
    CompletableFuture<ObjectNode> bounded = answer;
    ScheduledFuture<?> timeout = loop.schedule(() -> bounded.complete(unreachable(id, address, noAnswer())),
        peerTimeout.toMillis(), TimeUnit.MILLISECONDS);
    answer.whenComplete((member, failure) -> timeout.cancel(false));
    return answer;
  }

  private ObjectNode parse(NodeId id, String address, HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      return unreachable(id, address, "answered " + response.statusCode());
    }
    JsonNode status;
    try {
      status = JSON.readTree(response.body());
    } catch (IOException e) {
      return unreachable(id, address, "answered something other than JSON");
    }
    if (!(status instanceof ObjectNode object) || !id.value().equals(object.path("id").asText())) {
      return unreachable(id, address, "answered as " + status.path("id").asText("?") + ", not " + id);
    }
    return object;
  }

  private String noAnswer() {
    return "no answer within " + peerTimeout.toMillis() + " ms";
  }

  private String describe(Throwable failure) {
    BoundedAnswer.TooLarge tooLarge = BoundedAnswer.TooLarge.in(failure);
    if (tooLarge != null) {
      return tooLarge.getMessage();
    }
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof HttpTimeoutException || BoundedAnswer.TooSlow.in(failure) != null) {
      return noAnswer();
    }
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  private static ObjectNode unreachable(NodeId id, String address, String error) {
    ObjectNode member = JSON.createObjectNode();
    member.put("id", id.value());
    member.put("http", address);
    member.put("reachable", false);
    member.put("error", error);
    return member;
  }

  private ObjectNode render(String selfId, List<ObjectNode> members) {
    ObjectNode leader = null;
    long term = 0;
    for (ObjectNode m : members) {
      if (m.path("reachable").asBoolean(true)) {
        term = Math.max(term, m.path("term").asLong());
        if (m.path("role").asText().equals("leader") && (leader == null || m.path("term").asLong() > leader.path("term").asLong())) {
          leader = m;
        }
      }
    }
    Map<String, JsonNode> lags = new HashMap<>();
    if (leader != null) {
      // The leader's answer comes from another process: an entry without an id is skipped.
      for (JsonNode progress : leader.path("members")) {
        String id = progress.path("id").asText(null);
        if (id != null && progress.has("lag")) {
          lags.put(id, progress.get("lag"));
        }
      }
    }
    ObjectNode body = JSON.createObjectNode();
    body.put("id", selfId);
    body.put("leader", leader == null ? null : leader.get("id").asText());
    body.put("term", leader == null ? term : leader.path("term").asLong());
    body.put("peer-timeout-ms", peerTimeout.toMillis());
    ArrayNode rendered = body.putArray("members");
    for (ObjectNode m : members) {
      if (m.path("reachable").asBoolean(true)) {
        m.remove("members");
        m.put("reachable", true);
        if (m == leader) {
          m.put("lag", 0);
        } else {
          m.set("lag", lags.getOrDefault(m.get("id").asText(), JSON.nullNode()));
        }
      }
      rendered.add(m);
    }
    return body;
  }

  private HttpClient client() {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(peerTimeout).followRedirects(HttpClient.Redirect.NEVER);
          if (peerTls != null) {
            builder.sslContext(peerTls);
          }
          c = builder.build();
          client = c;
        }
      }
    }
    return c;
  }
}
