package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpReplies.error;
import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;
import static io.netty.handler.codec.http.HttpResponseStatus.MISDIRECTED_REQUEST;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses what a web page the user happens to visit can make the browser send to a KV node, before
 * any body is read and before any route (the API, the admin endpoints, the shared {@code /raft/*}
 * routes) sees the request. CORS alone does not do this: it only keeps the answer from the page,
 * while a simple request (a {@code <form enctype=text/plain>}, a {@code no-cors} fetch) has already
 * been served.
 * <ol>
 *   <li>A request with an {@code Origin} other than one of the members' pages
 *       ({@link PeerDirectory#pageOrigins()}, the list the CORS configuration allows; {@code null}
 *       included) is answered 403. Browsers send {@code Origin} on every cross-origin request and
 *       on same-origin ones other than GET and HEAD; curl, the JDK client of the Raft transport,
 *       the joiner and the load tool send none and are not affected.
 *   <li>On a node whose HTTP port is bound to a loopback address, a request whose {@code Host} is
 *       none of the names a client on the machine reaches it by ({@code 127.0.0.1}, {@code
 *       localhost}, {@code [::1]}, the configured host; each with the node's port, compared
 *       ignoring case) is answered 421. That defeats DNS rebinding, where the attacker's name
 *       resolves to 127.0.0.1 and the page reads the keys and {@code /log} with same-origin GETs,
 *       which carry no {@code Origin}. An HTTP/1.1 request without {@code Host} is answered 400
 *       (RFC 9112 §3.2); HTTP/1.0 makes it optional and is served. A node bound to any other
 *       address (a LAN address, the wildcard) checks no {@code Host}: its clients use DNS names it
 *       cannot know.
 * </ol>
 * A refusal answers with a JSON error naming the origin or host, closes the connection, and drops
 * whatever the client sends after it (the rest of the body, pipelined requests).
 *
 * <p>One per connection (it remembers a refusal); sits right after the HTTP codec. Runs on the
 * connection's event loop.
 */
final class BrowserGuard extends ChannelInboundHandlerAdapter {
  private final Set<String> pageOrigins;
  private final Set<String> hostNames;
  private boolean refused;

  /**
   * @param pageOrigins the origins whose pages may call this node, as browsers write them
   * @param hostNames the {@code Host} values this node answers to, lower case; null for any
   *     (a node not on loopback)
   */
  BrowserGuard(Collection<String> pageOrigins, Set<String> hostNames) {
    this.pageOrigins = lowerCase(pageOrigins);
    this.hostNames = hostNames;
  }

  /**
   * The {@code Host} values a node bound to {@code bound} answers to: null (any) unless it is a
   * loopback address; otherwise each loopback name and each of {@code configuredHosts} (host names
   * or {@code host:port}, whose port is ignored) with the bound port, and without a port when
   * that is the scheme's default.
   */
  static Set<String> loopbackHostNames(InetSocketAddress bound, String scheme, Collection<String> configuredHosts) {
    if (bound.getAddress() == null || !bound.getAddress().isLoopbackAddress()) {
      return null;
    }
    Set<String> hosts = new HashSet<>(PeerDirectory.LOOPBACK_NAMES);
    for (String configured : configuredHosts) {
      if (configured != null && !configured.isEmpty()) {
        hosts.add(hostOnly(configured));
      }
    }
    int port = bound.getPort();
    boolean defaultPort = port == PeerDirectory.defaultPort(scheme);
    Set<String> names = new HashSet<>();
    for (String host : hosts) {
      names.add(host + ":" + port);
      if (defaultPort) {
        names.add(host);
      }
    }
    return Set.copyOf(lowerCase(names));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      FullHttpResponse refusal = refusal(request);
      if (refusal != null) {
        refused = true;
        ReferenceCountUtil.release(msg);
        // Not keep-alive: the rest of the body (and anything after it) is never read.
        HttpReplies.send(ctx, refusal, false);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** The answer refusing {@code request}, or null when it may go on. */
  private FullHttpResponse refusal(HttpRequest request) {
    String origin = request.headers().get(HttpHeaderNames.ORIGIN);
    if (origin != null && !pageOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
      return error(FORBIDDEN, "requests from origin " + origin
          + " are refused: only the cluster members' pages may call this node");
    }
    if (hostNames == null) {
      return null;
    }
    String host = request.headers().get(HttpHeaderNames.HOST);
    if (host == null) {
      return request.protocolVersion().equals(HttpVersion.HTTP_1_0) ? null
          : error(BAD_REQUEST, "an HTTP/1.1 request needs a Host header");
    }
    if (!hostNames.contains(host.trim().toLowerCase(Locale.ROOT))) {
      // 421 Misdirected Request rather than 403: the request is not forbidden to its sender, it
      // reached a server that is not the one its URL names (RFC 9110 §15.5.20), which is exactly
      // what a rebound DNS name does.
      return error(MISDIRECTED_REQUEST, "this node, on a loopback address, does not answer to host " + host
          + "; use 127.0.0.1, localhost or [::1] with its port");
    }
    return null;
  }

  /** {@code host} of {@code host:port} or {@code [v6]:port}; a bare IPv6 literal gets its brackets. */
  private static String hostOnly(String hostPort) {
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      return end < 0 ? hostPort : hostPort.substring(0, end + 1);
    }
    int colon = hostPort.indexOf(':');
    if (colon >= 0 && hostPort.indexOf(':', colon + 1) >= 0) {
      return "[" + hostPort + "]";
    }
    return colon < 0 ? hostPort : hostPort.substring(0, colon);
  }

  private static Set<String> lowerCase(Collection<String> values) {
    Set<String> lower = new HashSet<>();
    values.forEach(v -> lower.add(v.toLowerCase(Locale.ROOT)));
    return Set.copyOf(lower);
  }
}
