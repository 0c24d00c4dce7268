package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpReplies.error;
import static dev.pontoon.examples.kv.HttpReplies.json;
import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.storage.LogReader;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the KV HTTP API: {@code /kv/{key}} (GET, PUT, DELETE), {@code /kv/{key}/cas} (POST),
 * {@code /log}, {@code /status} and {@code /cluster} (GET), the cluster page ({@code GET /} and its
 * assets under {@code /page/}), and the admin endpoints under {@code /admin/} ({@code GET
 * /admin/ping}, {@code POST /admin/transfer-leadership/{id}}, {@code POST /admin/members}, {@code
 * DELETE /admin/members/{id}}), every one of which first passes the
 * {@link AdminGuard}: without what it requires, 401 and nothing changes. Everything the client sent
 * wrong is a 4xx with a JSON error; nothing the client sends can throw out of this handler.
 *
 * <p>Shared by all connections; runs on Netty event-loop threads and never blocks them: writes
 * and reads go to the {@link RaftNode} and are answered when its future completes.
 */
@ChannelHandler.Sharable
final class KvHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(KvHttpHandler.class);
  private final KvHttpConfig config;
  private final KvOperations operations;
  private final NodePages pages;
  private final AdminGuard admin;
  private final ClusterView cluster;
  private final PageAssets assets;
  private final CorsConfig cors;

  KvHttpHandler(RaftNode node, LogReader logReader, PeerDirectory peers, KvHttpConfig config) {
    this(node, logReader, peers, config, AdminGuard.unguarded());
  }

  KvHttpHandler(RaftNode node, LogReader logReader, PeerDirectory peers, KvHttpConfig config, AdminGuard admin) {
    this(node, logReader, peers, config, admin, null);
  }

  /**
   * @param peerTls what {@code GET /cluster} trusts when it asks the other members over HTTPS;
   *     null for the JDK's default trust store
   */
  KvHttpHandler(RaftNode node, LogReader logReader, PeerDirectory peers, KvHttpConfig config, AdminGuard admin,
      SSLContext peerTls) {
    this.config = config;
    this.admin = admin;
    this.operations = new KvOperations(node, peers, config);
    this.pages = new NodePages(node, logReader, peers, config);
    this.cluster = new ClusterView(pages, peers, config, peerTls);
    this.assets = new PageAssets(peers);
    // A page served by one member calls another's API when a follower redirects it to the leader
    // (307), or when its own node stops answering: those calls are cross-origin. Only the members'
    // own pages may make them. The BrowserGuard in front refuses every other origin with 403;
    // shortCircuit makes the CorsHandler do the same, should a pipeline ever lack the guard.
    this.cors = CorsConfigBuilder.forOrigins(peers.pageOrigins().toArray(String[]::new))
        .allowedRequestMethods(HttpMethod.GET, HttpMethod.PUT, HttpMethod.POST, HttpMethod.DELETE)
        .allowedRequestHeaders(HttpHeaderNames.CONTENT_TYPE).maxAge(600).shortCircuit().build();
  }

  /** The cross-origin rules for a connection's {@code CorsHandler}: the members' pages only. */
  CorsConfig cors() {
    return cors;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
    FullHttpResponse immediate;
    try {
      immediate = route(ctx, request, keepAlive);
    } catch (IllegalArgumentException e) {
      immediate = error(BAD_REQUEST, e.getMessage() == null ? "bad request" : e.getMessage());
    }
    if (immediate != null) {
      HttpReplies.send(ctx, immediate, keepAlive);
    }
  }

  /** Answers at once (returns the answer) or starts an asynchronous operation (returns null). */
  private FullHttpResponse route(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    if (request.decoderResult().isFailure()) {
      return malformed(request.decoderResult().cause());
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    List<String> segments = segments(uri.rawPath());
    HttpMethod method = request.method();
    if (!segments.isEmpty() && segments.get(0).equals("admin")) {
      return admin(ctx, request, uri, segments, keepAlive);
    }
    if (assets.serves(uri.rawPath())) {
      return method.equals(HttpMethod.GET) ? assets.get(uri.rawPath()).orElseThrow() : notAllowed("GET");
    }
    if (segments.equals(List.of("status"))) {
      return method.equals(HttpMethod.GET) ? pages.status(uri.parameters()) : notAllowed("GET");
    }
    if (segments.equals(List.of("cluster"))) {
      if (!method.equals(HttpMethod.GET)) {
        return notAllowed("GET");
      }
      HttpReplies.sendWhenDone(ctx, cluster.gather(uri.parameters(), ctx.executor()), keepAlive);
      return null;
    }
    if (segments.equals(List.of("log"))) {
      return method.equals(HttpMethod.GET) ? pages.log(uri.parameters()) : notAllowed("GET");
    }
    boolean kv = segments.size() == 2 && segments.get(0).equals("kv");
    boolean cas = segments.size() == 3 && segments.get(0).equals("kv") && segments.get(2).equals("cas");
    if (!kv && !cas) {
      return error(NOT_FOUND, "unknown path " + uri.rawPath()
          + "; try /, /kv/{key}, /kv/{key}/cas, /log, /status, /cluster or /admin/transfer-leadership/{id}");
    }
    if (cas && !method.equals(HttpMethod.POST)) {
      return notAllowed("POST");
    }
    if (kv && !(method.equals(HttpMethod.GET) || method.equals(HttpMethod.PUT) || method.equals(HttpMethod.DELETE))) {
      return notAllowed("GET, PUT, DELETE");
    }
    String key = decodeKey(segments.get(1));
    if (request.content().readableBytes() > config.maxValueBytes() && !cas) {
      return error(REQUEST_ENTITY_TOO_LARGE, "value exceeds " + config.maxValueBytes() + " bytes");
    }
    KvOperations.Request op = new KvOperations.Request(ctx, request.uri(), key, keepAlive);
    if (cas) {
      return operations.compareAndSet(op, bodyBytes(request));
    } else if (method.equals(HttpMethod.GET)) {
      return operations.get(op);
    } else if (method.equals(HttpMethod.PUT)) {
      return operations.put(op, bodyBytes(request));
    }
    return operations.delete(op);
  }

  /**
   * Every {@code /admin/} path: the guard first (without what it requires, 401 and nothing else,
   * not even whether the path exists), then {@code GET /admin/ping} and {@code POST
   * /admin/transfer-leadership/{id}}.
   */
  private FullHttpResponse admin(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri,
      List<String> segments, boolean keepAlive) {
    FullHttpResponse denied = admin.check(ctx, request);
    if (denied != null) {
      return denied;
    }
    HttpMethod method = request.method();
    if (segments.equals(List.of("admin", "ping"))) {
      return method.equals(HttpMethod.GET) ? json(HttpResponseStatus.OK, Map.of("admin", "ok")) : notAllowed("GET");
    }
    if (segments.size() == 3 && segments.get(1).equals("transfer-leadership")) {
      if (!method.equals(HttpMethod.POST)) {
        return notAllowed("POST");
      }
      String target = decodeSegment(segments.get(2), "id");
      return operations.transferLeadership(new KvOperations.Request(ctx, request.uri(), target, keepAlive),
          NodeId.of(target));
    }
    if (segments.equals(List.of("admin", "members"))) {
      if (!method.equals(HttpMethod.POST)) {
        return notAllowed("POST");
      }
      return operations.addMember(new KvOperations.Request(ctx, request.uri(), "", keepAlive), bodyBytes(request));
    }
    if (segments.size() == 3 && segments.get(1).equals("members")) {
      if (!method.equals(HttpMethod.DELETE)) {
        return notAllowed("DELETE");
      }
      String id = decodeSegment(segments.get(2), "id");
      return operations.removeMember(new KvOperations.Request(ctx, request.uri(), id, keepAlive), NodeId.of(id));
    }
    return error(NOT_FOUND, "unknown admin path " + uri.rawPath()
        + "; try /admin/ping, /admin/members, /admin/members/{id} or /admin/transfer-leadership/{id}");
  }

  /** 431 or 414 for a request whose headers or first line exceed the codec's limits, else 400. */
  private static FullHttpResponse malformed(Throwable cause) {
    if (cause instanceof TooLongHttpHeaderException) {
      return error(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "request headers exceed " + KvHttpServer.MAX_HEADER_BYTES + " bytes");
    }
    if (cause instanceof TooLongHttpLineException) {
      return error(HttpResponseStatus.REQUEST_URI_TOO_LONG,
          "request line exceeds " + KvHttpServer.MAX_INITIAL_LINE_BYTES + " bytes");
    }
    return error(BAD_REQUEST, "malformed HTTP request: " + cause.getMessage());
  }

  private String decodeKey(String raw) {
    String key = decodeSegment(raw, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > config.maxKeyBytes()) {
      throw new IllegalArgumentException("key exceeds " + config.maxKeyBytes() + " bytes");
    }
    return key;
  }

  /**
   * A path segment percent-decoded as RFC 3986 says (§2.1, §3.3): {@code %XX} is the byte XX and
   * every other character stands for itself, {@code +} included. (Netty's
   * {@code QueryStringDecoder.decodeComponent} decodes form data, where {@code +} is a space: with
   * it {@code /kv/a+b} named the key "a b", the key of {@code /kv/a%20b}.) The bytes must be
   * UTF-8. The request line reaches us one character per byte, so a character above 0x7F (which a
   * client should have percent-encoded) stands for that byte too.
   *
   * @throws IllegalArgumentException for a {@code %} not followed by two hex digits, or bytes that
   *     are not UTF-8 (a 400 naming {@code what})
   */
  static String decodeSegment(String raw, String what) {
    if (raw.indexOf('%') < 0 && raw.chars().allMatch(c -> c < 0x80)) {
      return raw;
    }
    byte[] bytes = new byte[raw.length()];
    int length = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int high = i + 2 < raw.length() ? hexDigit(raw.charAt(i + 1)) : -1;
        int low = high < 0 ? -1 : hexDigit(raw.charAt(i + 2));
        if (low < 0) {
          throw new IllegalArgumentException(what + " has a '%' not followed by two hex digits");
        }
        bytes[length++] = (byte) (high << 4 | low);
        i += 2;
      } else if (c <= 0xFF) {
        bytes[length++] = (byte) c;
      } else {
        throw new IllegalArgumentException(what + " has a character that is not percent-encoded: " + c);
      }
    }
    // Strictly: two keys whose bytes are not UTF-8 (%FF, %FE) must not become one key, U+FFFD.
    return HttpReplies.utf8Text(bytes, length, what);
  }

  /** The value of an ASCII hex digit, or -1. */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    char lower = (char) (c | 0x20);
    return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
  }

  private static Bytes bodyBytes(FullHttpRequest request) {
    byte[] data = new byte[request.content().readableBytes()];
    request.content().getBytes(request.content().readerIndex(), data);
    return Bytes.wrap(data);
  }

  /** Path segments, keeping empty ones so that {@code /kv/} has an empty key and {@code //} is unknown. */
  private static List<String> segments(String rawPath) {
    if (!rawPath.startsWith("/")) {
      return List.of();
    }
    String path = rawPath.substring(1);
    if (path.endsWith("/") && !path.equals("kv/")) {
      path = path.substring(0, path.length() - 1);
    }
    return List.of(path.split("/", -1));
  }

  private static FullHttpResponse notAllowed(String allow) {
    FullHttpResponse response = error(METHOD_NOT_ALLOWED, "method not allowed; allowed: " + allow);
    response.headers().set(HttpHeaderNames.ALLOW, allow);
    return response;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("closing HTTP connection {} after {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
