package dev.pontoon.examples.kv;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.storage.LogReader;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.cors.CorsHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The HTTP/JSON front end of one KV node:
 * <ul>
 *   <li>{@code PUT /kv/{key}} (body: the value, UTF-8) and {@code DELETE /kv/{key}} answer 200
 *       once the write is committed and applied;
 *   <li>{@code POST /kv/{key}/cas} with {@code {"from":…, "to":…}} answers 200, or 409 with the
 *       current value when it differs ({@code "from": null} expects the key to be absent);
 *   <li>{@code GET /kv/{key}} is linearizable (ReadIndex), 404 for a missing key;
 *   <li>{@code GET /log?from=N} and {@code GET /status} show the node's log and state;
 *   <li>{@code GET /cluster} shows every member's state, gathered by this node with a short
 *       timeout per member (over HTTPS when this node serves HTTPS), and {@code GET /} is a live
 *       page of it for a browser;
 *   <li>{@code POST /admin/transfer-leadership/{id}} hands leadership to member {@code id} and
 *       answers 200 once it leads;
 *   <li>paths under {@code /admin/} (the transfer and {@code GET /admin/ping}) answer only
 *       requests the {@link AdminGuard} lets through (401 otherwise, and nothing changes).
 * </ul>
 * A follower answers 307 with a {@code Location} on the leader's HTTP address; with no known
 * leader, 503 with {@code Retry-After}. Bad requests get a 4xx with {@code {"error":"…"}}: a
 * request line above 4 KiB 414, headers above 8 KiB 431, a body above the configured limit 413.
 * Pages served by the members may call the API across origins (CORS). A request carrying any
 * other site's {@code Origin} is refused with 403 before any route sees it (the {@code /raft/*}
 * shared routes included): CORS alone would only hide the answer from that site's page, after a
 * simple request (a text/plain form post) had been served. A node bound to a loopback address
 * answers 421 to a {@code Host} other than its loopback names, against DNS rebinding; a node on
 * another address cannot know its clients' names and checks none (see {@link BrowserGuard}). The
 * page cannot send an admin token: with a guard configured its transfer button shows the 401.
 *
 * <p><b>Threading.</b> Runs its own Netty event loops; {@link #start} blocks until the port is
 * bound, {@link #close()} until they have stopped. It does not own the node.
 */
public final class KvHttpServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel channel;

  private KvHttpServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Longest request line accepted; a longer one is answered 414. */
  static final int MAX_INITIAL_LINE_BYTES = 4096;
  /** Most bytes of request headers accepted; more is answered 431. Bodies are bounded by {@link KvHttpConfig}. */
  static final int MAX_HEADER_BYTES = 8192;

  /**
   * Routes another component serves on this server's port, such as the HTTP/JSON Raft transport's
   * {@code /raft/*}. Called for each connection right after the HTTP codec and the
   * {@link BrowserGuard} (so other sites' pages cannot reach these routes either), in place of this
   * server's aggregator: it must aggregate requests (bounding the bodies of the requests it does
   * not serve by {@code apiMaxBodyBytes}) and pass those requests on, whole, to the API's handlers
   * added after it. They are not under {@code /admin/}, so the {@link AdminGuard} does not see them.
   */
  @FunctionalInterface
  public interface SharedRoutes {
    void addTo(ChannelPipeline pipeline, int apiMaxBodyBytes);
  }

  /**
   * Binds the API to {@code address} (port 0 picks a free port), over plain HTTP with unguarded
   * admin endpoints.
   *
   * @param node the node to serve
   * @param logReader the node's log store, read for {@code GET /log}
   * @param httpAddresses every member's HTTP {@code host:port}, for redirects
   * @throws IllegalStateException if the address cannot be bound
   */
  public static KvHttpServer start(InetSocketAddress address, RaftNode node, LogReader logReader,
      Map<NodeId, String> httpAddresses, KvHttpConfig config) {
    return start(address, node, logReader, httpAddresses, config, (SharedRoutes) null);
  }

  /**
   * Binds the API to {@code address}, over plain HTTP with unguarded admin endpoints, with
   * {@code shared} routes on the same port.
   *
   * @param shared routes served on this port by another component, or null for none
   * @throws IllegalStateException if the address cannot be bound
   */
  public static KvHttpServer start(InetSocketAddress address, RaftNode node, LogReader logReader,
      Map<NodeId, String> httpAddresses, KvHttpConfig config, SharedRoutes shared) {
    return start(address, node, logReader, httpAddresses, config, null, null, AdminGuard.unguarded(), shared);
  }

  /**
   * Binds the API to {@code address}, over HTTPS when {@code tls} is given (every member is then
   * redirected to as {@code https://}), with the admin endpoints guarded by {@code admin}.
   *
   * <p>{@code GET /cluster} then asks the other members over HTTPS too, trusting the JDK's default
   * trust store; a cluster with its own CA passes it through the overload with {@code peerTls}.
   *
   * @param tls the server side of TLS, or null for plain HTTP; it must ask for client certificates
   *     when {@code admin} needs them
   * @throws IllegalStateException if the address cannot be bound
   */
  public static KvHttpServer start(InetSocketAddress address, RaftNode node, LogReader logReader,
      Map<NodeId, String> httpAddresses, KvHttpConfig config, SslContext tls, AdminGuard admin) {
    return start(address, node, logReader, httpAddresses, config, tls, null, admin, null);
  }

  /**
   * As {@link #start(InetSocketAddress, RaftNode, LogReader, Map, KvHttpConfig, SslContext, AdminGuard)},
   * with what {@code GET /cluster} trusts when it asks the other members over HTTPS, and with
   * {@code shared} routes on the same port.
   *
   * @param peerTls the client side of the fan-out to the other members' HTTPS APIs (typically
   *     trusting the cluster's CA); null for the JDK's default trust store; unused without {@code tls}
   * @param shared routes served on this port by another component (behind the same TLS), or null
   *     for none
   * @throws IllegalStateException if the address cannot be bound
   */
  public static KvHttpServer start(InetSocketAddress address, RaftNode node, LogReader logReader,
      Map<NodeId, String> httpAddresses, KvHttpConfig config, SslContext tls, SSLContext peerTls, AdminGuard admin,
      SharedRoutes shared) {
    PeerDirectory peers = new PeerDirectory(httpAddresses, tls == null ? "http" : "https", () -> node.status().config());
    KvHttpHandler handler = new KvHttpHandler(node, logReader, peers, config, admin, peerTls);
    List<String> configuredHosts = new ArrayList<>();
    configuredHosts.add(address.getHostString());
    peers.httpAddress(node.id()).ifPresent(configuredHosts::add);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              if (tls != null) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc()));
              }
              // The bound address, not the configured one: port 0 is bound to a free port.
              Set<String> hosts = BrowserGuard.loopbackHostNames((InetSocketAddress) ch.parent().localAddress(),
                  peers.scheme(), configuredHosts);
              pipeline(ch, handler, config, hosts, shared);
            }
          }).bind(address).syncUninterruptibly().channel();
      return new KvHttpServer(group, channel);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("cannot serve HTTP on " + address + ": " + e.getMessage(), e);
    }
  }

  /**
   * The handlers of one connection, answering any {@code Host}; the test feeds the same pipeline
   * through an {@code EmbeddedChannel}.
   */
  static void pipeline(Channel ch, KvHttpHandler handler, KvHttpConfig config) {
    pipeline(ch, handler, config, null, null);
  }

  /**
   * @param hostNames the {@code Host} values answered, null for any (see {@link BrowserGuard})
   */
  private static void pipeline(Channel ch, KvHttpHandler handler, KvHttpConfig config, Set<String> hostNames,
      SharedRoutes shared) {
    // InOrderAnswers comes first, so that every answer, the early refusals included, follows the
    // answers to the requests sent before it. The guard comes before the aggregator and the shared
    // routes: a browser's forged request is refused before its body is buffered and before /raft/*
    // sees it.
    ch.pipeline().addLast(new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192))
        .addLast(new InOrderAnswers())
        .addLast(new BrowserGuard(handler.cors().origins(), hostNames));
    if (shared == null) {
      ch.pipeline().addLast(new BodyAggregator(config.maxBodyBytes()));
    } else {
      shared.addTo(ch.pipeline(), config.maxBodyBytes());
    }
    ch.pipeline().addLast(new CorsHandler(handler.cors())).addLast(handler);
  }

  /**
   * Aggregates a request's body up to {@code maxBodyBytes}. A request whose body is larger
   * (announced by {@code Content-Length}, or counted as it arrives) is answered 413 with the API's
   * JSON error, and the connection is closed: the rest of the body is never read. Netty's own
   * answer has an empty body, and on a keep-alive request keeps the connection open while it reads
   * and drops the rest. (With shared routes, their {@code RouteLimits} gives the same answer.)
   */
  static final class BodyAggregator extends HttpObjectAggregator {
    private final int maxBodyBytes;

    BodyAggregator(int maxBodyBytes) {
      super(maxBodyBytes);
      this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      HttpReplies.send(ctx, HttpReplies.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          "request body exceeds " + maxBodyBytes + " bytes"), false);
    }
  }

  /** The address the server listens on. */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
