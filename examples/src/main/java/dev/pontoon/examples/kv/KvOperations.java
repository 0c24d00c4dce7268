package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpReplies.error;
import static dev.pontoon.examples.kv.HttpReplies.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The operations of the HTTP API that go through Raft, on top of a {@link RaftNode}: the KV
 * operations and the leadership transfer. Only the leader serves them (a follower redirects with
 * 307, a node without a known leader answers 503); writes answer after commit and apply; reads use
 * ReadIndex ({@link RaftNode#read}), so they are linearizable; a transfer answers once the target
 * leads ({@link RaftNode#transferLeadership}).
 *
 * <p>Pipelined requests are answered in order by the connection's {@link InOrderAnswers}, which
 * passes the next request on only once this one's answer is written.
 */
final class KvOperations {
  private final RaftNode node;
  private final PeerDirectory peers;
  private final KvHttpConfig config;

  /** One client request: where to answer, its URI (for redirects), its key (or the transfer's target), keep-alive. */
  record Request(ChannelHandlerContext ctx, String uri, String key, boolean keepAlive) {
    Bytes keyBytes() {
      return Bytes.ofUtf8(key);
    }
  }

  KvOperations(RaftNode node, PeerDirectory peers, KvHttpConfig config) {
    this.node = node;
    this.peers = peers;
    this.config = config;
  }

  FullHttpResponse put(Request request, Bytes value) {
    if (value.isEmpty()) {
      return error(HttpResponseStatus.BAD_REQUEST, "value must not be empty");
    }
    String text = requireUtf8(value, "value");
    return write(request, new KvCommand.Put(request.keyBytes(), value), result -> {
      Map<String, Object> body = body(request, result);
      body.put("value", text);
      return json(HttpResponseStatus.OK, body);
    });
  }

  FullHttpResponse delete(Request request) {
    return write(request, new KvCommand.Delete(request.keyBytes()), result -> {
      Map<String, Object> body = body(request, result);
      body.put("deleted", ((KvResult.Applied) result).existed());
      return json(HttpResponseStatus.OK, body);
    });
  }

  /**
   * {@code POST /kv/{key}/cas}: {@code content} is UTF-8 JSON, as a PUT's value is UTF-8 text; a body
   * that is not, or a {@code "from"} or {@code "to"} that no UTF-8 can hold (a lone surrogate
   * written as a JSON escape), is refused (400) rather than stored with U+FFFD or '?' in its place.
   */
  FullHttpResponse compareAndSet(Request request, Bytes content) {
    String jsonBody = requireUtf8(content, "body");
    JsonNode tree = HttpReplies.readJson(jsonBody);
    if (tree == null || !tree.isObject() || !tree.has("from") || !tree.has("to")) {
      return error(HttpResponseStatus.BAD_REQUEST, "body must be a JSON object with \"from\" and \"to\"");
    }
    Bytes from = tree.get("from").isNull() ? null : casValue(tree.get("from"), "from");
    Bytes to = casValue(tree.get("to"), "to");
    return write(request, new KvCommand.CompareAndSet(request.keyBytes(), from, to), result -> {
      Map<String, Object> body = body(request, result);
      body.put("value", to.toUtf8());
      return json(HttpResponseStatus.OK, body);
    });
  }

  FullHttpResponse get(Request request) {
    Optional<FullHttpResponse> redirect = redirectUnlessLeader(request);
    if (redirect.isPresent()) {
      return redirect.get();
    }
    answerWhenDone(request, node.read(KvCodec.encodeGet(request.keyBytes())), Effect.READ,
        bytes -> renderResult(bytes, result -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("key", request.key());
      if (result instanceof KvResult.Value value) {
        body.put("value", value.value().toUtf8());
        return json(HttpResponseStatus.OK, body);
      }
      body.put("error", "key not found");
      return json(HttpResponseStatus.NOT_FOUND, body);
    }));
    return null;
  }

  /**
   * {@code POST /admin/transfer-leadership/{id}}: 200 with the leader, its term and the
   * configuration once {@code target} leads; 404 when it is no member; on a follower 307 to the
   * leader; 409 when it cannot lead (a learner); 504 when the transfer did not complete in time.
   */
  FullHttpResponse transferLeadership(Request request, NodeId target) {
    RaftNodeStatus before = node.status();
    if (before.config() == null || !before.config().members().contains(target)) {
      return error(HttpResponseStatus.NOT_FOUND, "no member " + target + "; members: "
          + (before.config() == null ? "none known yet" : before.config().members()));
    }
    Optional<FullHttpResponse> redirect = redirectUnlessLeader(request);
    if (redirect.isPresent()) {
      return redirect.get();
    }
    answerWhenDone(request, node.transferLeadership(target), Effect.TRANSFER, done -> {
      RaftNodeStatus status = node.status();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("leader", target.value());
      body.put("term", status.term());
      List<Map<String, Object>> members = new ArrayList<>();
      for (NodeId id : status.config() == null ? Set.<NodeId>of() : status.config().members()) {
        Map<String, Object> member = new LinkedHashMap<>();
        member.put("id", id.value());
        member.put("role", status.config().voters().contains(id) ? "voter" : "learner");
        members.add(member);
      }
      body.put("members", members);
      return json(HttpResponseStatus.OK, body);
    });
    return null;
  }

  /**
   * {@code POST /admin/members} with a {@link MemberRequests} body: 200 with the configuration
   * ({@link MembersView}) once the change is committed (at once when the member already has the
   * role); on a follower 307 to the leader; 400 for a malformed body; 409 when another change is in
   * flight; 503 with Retry-After when a learner is not caught up yet; 504 when the change did not
   * complete in time (it may still).
   */
  FullHttpResponse addMember(Request request, Bytes body) {
    MemberRequests wanted = MemberRequests.parse(requireUtf8(body, "body"));
    Optional<FullHttpResponse> redirect = redirectUnlessLeader(request);
    if (redirect.isPresent()) {
      return redirect.get();
    }
    ClusterConfig current = node.status().config(); // a leader always has one
    Optional<MemberChange> change = wanted.changeTo(current);
    if (change.isEmpty()) {
      return json(HttpResponseStatus.OK, configurationBody(current));
    }
    return changeMembership(request, List.of(change.get()));
  }

  /**
   * {@code DELETE /admin/members/{id}}: as {@link #addMember}, and 404 when {@code id} is no member.
   * A leader that removes itself hands leadership over and steps down once the change commits.
   */
  FullHttpResponse removeMember(Request request, NodeId id) {
    ClusterConfig current = node.status().config();
    if (current == null || !current.contains(id)) {
      return error(HttpResponseStatus.NOT_FOUND, "no member " + id + "; members: "
          + (current == null ? "none known yet" : current.members()));
    }
    Optional<FullHttpResponse> redirect = redirectUnlessLeader(request);
    if (redirect.isPresent()) {
      return redirect.get();
    }
    return changeMembership(request, List.of(new MemberChange.Remove(id)));
  }

  private FullHttpResponse changeMembership(Request request, List<MemberChange> changes) {
    answerWhenDone(request, node.changeMembership(changes), Effect.CHANGE,
        config -> json(HttpResponseStatus.OK, configurationBody(config)));
    return null;
  }

  /** The answer of the membership endpoints: {@code configuration} and {@code members} ({@link MembersView}). */
  private Map<String, Object> configurationBody(ClusterConfig config) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("configuration", MembersView.configuration(config));
    body.put("members", MembersView.members(config, peers));
    return body;
  }

  private FullHttpResponse write(Request request, KvCommand command, Function<KvResult, FullHttpResponse> onApplied) {
    Optional<FullHttpResponse> redirect = redirectUnlessLeader(request);
    if (redirect.isPresent()) {
      return redirect.get();
    }
    answerWhenDone(request, node.submit(KvCodec.encode(command)), Effect.WRITE,
        bytes -> renderResult(bytes, result -> {
      if (result instanceof KvResult.Applied) {
        return onApplied.apply(result);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", "current value differs");
      body.put("key", request.key());
      body.put("current", result instanceof KvResult.Mismatch m ? m.current().toUtf8() : null);
      return json(HttpResponseStatus.CONFLICT, body);
    }));
    return null;
  }

  private Optional<FullHttpResponse> redirectUnlessLeader(Request request) {
    RaftNodeStatus status = node.status();
    if (status.role() == Role.LEADER) {
      return Optional.empty();
    }
    return Optional.of(redirect(request, status.leader()));
  }

  /** 307 to the leader's HTTP address, or 503 with Retry-After when no leader (address) is known. */
  private FullHttpResponse redirect(Request request, NodeId leader) {
    Optional<String> address = leader == null || leader.equals(node.id()) ? Optional.empty() : peers.httpAddress(leader);
    if (address.isEmpty()) {
      FullHttpResponse response = error(HttpResponseStatus.SERVICE_UNAVAILABLE, "no leader known; retry later");
      response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
      return response;
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TEMPORARY_REDIRECT);
    response.headers().set(HttpHeaderNames.LOCATION, peers.scheme() + "://" + address.get() + request.uri());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return response;
  }

  /**
   * What an operation is, for the answers its own result does not give: a 504 after the request
   * timeout, and whether a Raft failure that leaves the outcome unknown ({@link
   * RaftException#mayStillCommit()}) must be answered as unknown (504, no invitation to retry) or
   * may be answered 503 with Retry-After (the operation changes nothing).
   */
  private enum Effect {
    /** A write: it is in the log and may commit later. */
    WRITE("the write may still take effect", true),
    /** A read: it never changes anything. */
    READ("the read did nothing, retry it", false),
    /** A membership change. */
    CHANGE("the change may still take effect; GET /status shows the configuration", true),
    /** A leadership transfer. */
    TRANSFER("the transfer did not complete in time", true);

    /** What the 504 says after the request timeout. */
    final String onTimeout;
    /** Whether the operation changes anything, so that an unknown outcome must not invite a retry. */
    final boolean changes;

    Effect(String onTimeout, boolean changes) {
      this.onTimeout = onTimeout;
      this.changes = changes;
    }
  }

  /**
   * Answers with {@code render} once {@code future} completes, with {@link #failed} when it fails,
   * or 504 saying {@code effect.onTimeout} after the request timeout.
   */
  private <T> void answerWhenDone(Request request, CompletableFuture<T> future, Effect effect,
      Function<T, FullHttpResponse> render) {
    ChannelHandlerContext ctx = request.ctx();
    AtomicBoolean answered = new AtomicBoolean();
    var timeout = ctx.executor().schedule(() -> {
      if (answered.compareAndSet(false, true)) {
        finish(request, error(HttpResponseStatus.GATEWAY_TIMEOUT,
            "no answer within " + config.requestTimeout().toMillis() + " ms; " + effect.onTimeout));
      }
    }, config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    future.whenComplete((value, failure) -> {
      if (answered.compareAndSet(false, true)) {
        timeout.cancel(false);
        finish(request, failure == null ? render.apply(value) : failed(request, failure, effect));
      }
    });
  }

  private static FullHttpResponse renderResult(Bytes bytes, Function<KvResult, FullHttpResponse> render) {
    KvResult result = KvCodec.decodeResult(bytes);
    if (result instanceof KvResult.Invalid invalid) {
      return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, invalid.reason());
    }
    return render.apply(result);
  }

  /**
   * The answer to an operation whose future failed with {@code failure}. A Raft failure after
   * which the operation may still commit ({@link RaftException#mayStillCommit()}: an
   * IndeterminateStateException, a NodeStoppedException with the operation in flight) is 504
   * "outcome unknown" for an operation that changes something, without Retry-After: inviting a
   * retry would apply a write twice when the first did commit. What certainly did nothing (a read,
   * back-pressure, a command too large) is 503 with Retry-After.
   */
  private FullHttpResponse failed(Request request, Throwable failure, Effect effect) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof NotLeaderException notLeader) {
      return redirect(request, notLeader.leaderHint().orElse(null));
    }
    if (cause instanceof MembershipChangeException refused) {
      return membershipRefused(refused);
    }
    if (cause instanceof IllegalArgumentException) {
      return error(HttpResponseStatus.CONFLICT, String.valueOf(cause.getMessage())); // a transfer to a non-voter
    }
    if (effect.changes && cause instanceof RaftException raft && raft.mayStillCommit()) {
      return error(HttpResponseStatus.GATEWAY_TIMEOUT, "outcome unknown: " + cause.getMessage() + "; " + effect.onTimeout);
    }
    FullHttpResponse response = error(HttpResponseStatus.SERVICE_UNAVAILABLE, String.valueOf(cause.getMessage()));
    response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    return response;
  }

  /**
   * A refused change: 409 when another is in flight, 404 for an unknown member, 400 for an invalid
   * change, 503 with Retry-After when a learner has not caught up yet (it will: ask again). The body
   * names the {@code reason}, and {@code learners-added} when a change that adds voters failed after
   * its first phase committed: those nodes stay learners, and asking again for one of them with role
   * voter promotes it ({@link MemberRequests#changeTo}).
   */
  private static FullHttpResponse membershipRefused(MembershipChangeException refused) {
    HttpResponseStatus status = switch (refused.reason()) {
      case CHANGE_IN_PROGRESS -> HttpResponseStatus.CONFLICT;
      case UNKNOWN_MEMBER -> HttpResponseStatus.NOT_FOUND;
      case INVALID_CHANGE -> HttpResponseStatus.BAD_REQUEST;
      case NOT_CAUGHT_UP -> HttpResponseStatus.SERVICE_UNAVAILABLE;
    };
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", String.valueOf(refused.getMessage()));
    body.put("reason", refused.reason().name());
    if (!refused.learnersAdded().isEmpty()) {
      body.put("learners-added", refused.learnersAdded().stream().sorted().map(NodeId::value).toList());
    }
    FullHttpResponse response = json(status, body);
    if (status == HttpResponseStatus.SERVICE_UNAVAILABLE) {
      response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    }
    return response;
  }

  private static void finish(Request request, FullHttpResponse response) {
    ChannelHandlerContext ctx = request.ctx();
    HttpReplies.send(ctx, response, request.keepAlive());
  }

  private static Map<String, Object> body(Request request, KvResult result) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("key", request.key());
    body.put("index", ((KvResult.Applied) result).index());
    return body;
  }

  private Bytes casValue(JsonNode node, String field) {
    if (!node.isValueNode() || node.isNull()) {
      throw new IllegalArgumentException("\"" + field + "\" must be a string, number or boolean");
    }
    String text = node.asText();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("\"" + field + "\" must not be empty");
    }
    Bytes value = encodeUtf8(text, "\"" + field + "\"");
    if (value.size() > config.maxValueBytes()) {
      throw new IllegalArgumentException("\"" + field + "\" exceeds " + config.maxValueBytes() + " bytes");
    }
    return value;
  }

  /** {@code text} in UTF-8; a lone surrogate, which UTF-8 cannot hold, is a 400 rather than a '?'. */
  private static Bytes encodeUtf8(String text, String what) {
    try {
      ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(text));
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      return Bytes.wrap(bytes);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(what + " must be UTF-8 text");
    }
  }

  private static String requireUtf8(Bytes value, String what) {
    byte[] bytes = value.toByteArray();
    return HttpReplies.utf8Text(bytes, bytes.length, what);
  }
}
