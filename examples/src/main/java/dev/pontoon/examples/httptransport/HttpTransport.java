package dev.pontoon.examples.httptransport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;
import dev.pontoon.raft.transport.netty.PeerResolver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} that carries Raft messages as HTTP/JSON requests, with the wire contract of
 * {@code HTTP-TRANSPORT.md}: {@code POST /raft/append-entries}, {@code /raft/request-vote},
 * {@code /raft/install-snapshot} and {@code /raft/timeout-now}.
 *
 * <p>HTTP is request/response while the SPI is one-way: the sending side POSTs each request and
 * turns the HTTP answer into the matching response message, which it hands to this node as if
 * the peer had sent it (filling in {@code from}/{@code to}, echoing the request's sequence, and
 * {@code matchIndex = prevLogIndex + entries} on success when the peer gives none). It reads an
 * answer only up to {@link #MAX_REQUEST_BYTES}, the limit it puts on requests: a larger one is
 * refused, that message dropped and a warning naming the peer and the limit logged. The request
 * timeout covers the whole exchange, the answer's body included: an answer whose body is not
 * complete within it (a peer that sends the head and stalls) fails the same way, which frees
 * that exchange's in-flight slot. The receiving side hands each request to the node and answers
 * the HTTP request when the node emits the matching response; when it does not within the answer
 * timeout, it answers 503. Give the receiving side a shorter timeout than the sending side (the
 * KV node: 1 s and 1.5 s), so that both reach a sender still waiting.
 *
 * <p><b>Senders.</b> A request's {@code leader-id} or {@code candidate-id} may be a member's id or
 * a member's address ({@code host:port} as given in the peer addresses), as the specification
 * writes it; either way the node receives the message from that member. A request from anyone
 * else is answered 403. Member ids are public (a node's {@code /status} shows them), so a sender's
 * name proves nothing: with a cluster secret ({@link BearerToken}), every request must carry
 * {@code Authorization: Bearer <secret>}, and one without it is answered 401 on its head, before
 * its body is read (see {@link RaftAuthentication}); this transport sends the secret on every
 * request. Without a secret, anyone who reaches the port can send Raft messages: serve it on
 * loopback only.
 *
 * <p><b>Its own port or a shared one.</b> The constructor's transport binds its own server in
 * {@link #start}. {@link #sharingPort} makes one that binds nothing: another HTTP server (the KV
 * node's API) serves {@code /raft/*} on its port by calling {@link #addRoutes} for each
 * connection.
 *
 * <p><b>Threading.</b> {@link #send} never blocks and never throws: it starts an asynchronous
 * request with {@link HttpClient#sendAsync}, or drops the message (counted in
 * {@link #dropped()}) when the peer is unknown or already has too many requests in flight. The
 * inbound handler is called from HTTP client and Netty threads.
 */
public final class HttpTransport implements Transport {
  /**
   * The largest request body the receiving side reads, and the largest answer body the sending
   * side reads (a larger answer fails its exchange only; see {@link BoundedAnswer});
   * {@link #maxMessageBytes()} derives from it, and the node sizes appends and snapshot pieces
   * under that.
   */
  public static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;
  private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);
  private final NodeId self;
  private final InetSocketAddress bindAddress;
  private final Map<NodeId, URI> peers;
  /** Each peer's id by its address as given ({@code host:port}), for senders that name themselves by address. */
  private final Map<String, NodeId> peersByAddress;
  private final Duration requestTimeout;
  private final Duration answerTimeout;
  private final int maxInFlightPerPeer;
  private final AtomicReference<InboundHandler> inbound = new AtomicReference<>();
  private final PendingAnswers pending;
  private final RaftHttpHandler serverHandler;
  private final Map<NodeId, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  /** Peers that answered 401 since their last 200: told once in the log, not at every heartbeat. */
  private final Set<NodeId> refusedBy = ConcurrentHashMap.newKeySet();
  /** Peers whose answer's body stalled past the timeout since their last 200: told once in the log. */
  private final Set<NodeId> stalledBy = ConcurrentHashMap.newKeySet();
  private final HttpClient client;
  private final int maxBodyBytes;
  /** The cluster secret every request carries and must carry, or null for none. */
  private final BearerToken secret;
  private EventLoopGroup group;
  private Channel serverChannel;
  private volatile boolean closed;

  /**
   * A transport with its own server, bound by {@link #start}.
   *
   * @param self this node's id
   * @param bindAddress where to listen for peers' requests (port 0 picks a free port)
   * @param peerAddresses each peer's {@code host:port}
   * @param requestTimeout how long a request to a peer may take, its answer's body included, and
   *     how long the receiving side waits for this node's response before answering 503 (one
   *     timeout for both: a node's answer at the receiver's limit then races the sender giving
   *     up; see {@link #HttpTransport(NodeId, InetSocketAddress, Map, Duration, Duration, BearerToken)});
   *     at least 1 ms
   * @throws IllegalArgumentException if {@code requestTimeout} is under 1 ms (zero and negative
   *     included); the message names it and its value
   */
  public HttpTransport(NodeId self, InetSocketAddress bindAddress, Map<NodeId, String> peerAddresses,
      Duration requestTimeout) {
    this(self, bindAddress, peerAddresses, requestTimeout, null);
  }

  /**
   * A transport with its own server, bound by {@link #start}, whose requests must carry the
   * cluster secret {@code secret} (and carry it to the peers); null for none.
   *
   * @param requestTimeout as for {@link #HttpTransport(NodeId, InetSocketAddress, Map, Duration)};
   *     at least 1 ms
   * @throws IllegalArgumentException if {@code requestTimeout} is under 1 ms, naming it and its value
   */
  public HttpTransport(NodeId self, InetSocketAddress bindAddress, Map<NodeId, String> peerAddresses,
      Duration requestTimeout, BearerToken secret) {
    this(self, Objects.requireNonNull(bindAddress, "bindAddress"), peerAddresses, requestTimeout, requestTimeout,
        false, secret);
  }

  /**
   * A transport with its own server, bound by {@link #start}, whose sending and receiving sides
   * have timeouts of their own. The sender's clock starts before it connects and sends; the
   * receiver's once the whole request has arrived. So the sender must wait longer, by a margin
   * for carrying the request and the answer, for the node's answer at the receiver's limit, or the
   * receiver's 503, to reach a sender that still listens (and keeps the connection).
   *
   * <p>Both timeouts are at least 1 ms, and are kept to the nanosecond. A shorter one is refused
   * rather than rounded up: it leaves no time for an HTTP exchange and, for an append, the node's
   * log sync, so it is a configuration mistake (a unit mixed up, say) that would otherwise show
   * only as requests timing out or answered 503, and rounding it up would hide the mistake.
   *
   * @param requestTimeout how long a request to a peer may take, its answer's body included; at
   *     least 1 ms
   * @param answerTimeout how long the receiving side waits for this node's response before
   *     answering 503; at least 1 ms, and shorter than {@code requestTimeout}
   * @param secret the cluster secret every request must carry (and carries to the peers); null for none
   * @throws IllegalArgumentException if either timeout is under 1 ms (zero and negative included),
   *     naming it and its value ({@code answerTimeout (0.5 ms) must be at least 1 ms}), or if
   *     {@code answerTimeout} is not shorter than {@code requestTimeout}
   */
  public HttpTransport(NodeId self, InetSocketAddress bindAddress, Map<NodeId, String> peerAddresses,
      Duration requestTimeout, Duration answerTimeout, BearerToken secret) {
    this(self, Objects.requireNonNull(bindAddress, "bindAddress"), peerAddresses, requestTimeout,
        shorter(answerTimeout, requestTimeout), false, secret);
  }

  /**
   * A transport served on another HTTP server's port: {@link #start} binds nothing, and that
   * server calls {@link #addRoutes} for each of its connections. Peers reach this node at the
   * other server's address, which is also, by default, its id.
   *
   * @param self this node's id
   * @param peerAddresses each peer's {@code host:port}
   * @param requestTimeout as for the constructor; at least 1 ms
   * @throws IllegalArgumentException if {@code requestTimeout} is under 1 ms, as for the constructor
   */
  public static HttpTransport sharingPort(NodeId self, Map<NodeId, String> peerAddresses, Duration requestTimeout) {
    return sharingPort(self, peerAddresses, requestTimeout, null);
  }

  /**
   * As {@link #sharingPort(NodeId, Map, Duration)}, with {@code /raft/*} requests that must carry
   * the cluster secret {@code secret} (and carry it to the peers); null for none.
   *
   * @throws IllegalArgumentException if {@code requestTimeout} is under 1 ms, naming it and its value
   */
  public static HttpTransport sharingPort(NodeId self, Map<NodeId, String> peerAddresses, Duration requestTimeout,
      BearerToken secret) {
    return new HttpTransport(self, null, peerAddresses, requestTimeout, requestTimeout, true, secret);
  }

  /**
   * As {@link #sharingPort(NodeId, Map, Duration, BearerToken)}, with a receiving side that waits
   * {@code answerTimeout} for this node's response, shorter than {@code requestTimeout}, as in
   * {@link #HttpTransport(NodeId, InetSocketAddress, Map, Duration, Duration, BearerToken)}.
   */
  public static HttpTransport sharingPort(NodeId self, Map<NodeId, String> peerAddresses, Duration requestTimeout,
      Duration answerTimeout, BearerToken secret) {
    return new HttpTransport(self, null, peerAddresses, requestTimeout, shorter(answerTimeout, requestTimeout), true,
        secret);
  }

  /**
   * {@code answerTimeout}, checked to be at least 1 ms and shorter than {@code requestTimeout},
   * which is checked first: a request timeout under 1 ms is named as such, not as one the answer
   * timeout is not shorter than.
   */
  private static Duration shorter(Duration answerTimeout, Duration requestTimeout) {
    atLeastOneMillisecond("requestTimeout", requestTimeout);
    atLeastOneMillisecond("answerTimeout", answerTimeout);
    if (requestTimeout != null && answerTimeout.compareTo(requestTimeout) >= 0) {
      throw new IllegalArgumentException("answerTimeout (" + millis(answerTimeout)
          + ") must be shorter than requestTimeout (" + millis(requestTimeout) + "): the sender's clock"
          + " starts first, so it would give up before the receiver's answer or 503 reaches it");
    }
    return answerTimeout;
  }

  /** {@code timeout}, checked to be at least 1 ms (see the constructor for why not rounded up). */
  private static Duration atLeastOneMillisecond(String name, Duration timeout) {
    Objects.requireNonNull(timeout, name);
    if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(name + " (" + millis(timeout) + ") must be at least 1 ms");
    }
    return timeout;
  }

  /**
   * {@code duration} in milliseconds with its fraction ({@code 0.5 ms}, {@code 1500 ms}): a
   * message that rounded to whole milliseconds would show a refused half millisecond as 0, and two
   * different timeouts as equal.
   */
  static String millis(Duration duration) {
    return BigDecimal.valueOf(duration.getSeconds()).scaleByPowerOfTen(3)
        .add(BigDecimal.valueOf(duration.getNano(), 6)).stripTrailingZeros().toPlainString() + " ms";
  }

  private HttpTransport(NodeId self, InetSocketAddress bindAddress, Map<NodeId, String> peerAddresses,
      Duration requestTimeout, Duration answerTimeout, boolean sharedPort, BearerToken secret) {
    this.self = Objects.requireNonNull(self, "self");
    this.bindAddress = bindAddress;
    this.requestTimeout = atLeastOneMillisecond("requestTimeout", requestTimeout);
    this.answerTimeout = answerTimeout;
    Map<NodeId, URI> uris = new ConcurrentHashMap<>();
    Map<String, NodeId> byAddress = new ConcurrentHashMap<>();
    peerAddresses.forEach((id, address) -> {
      uris.put(id, URI.create("http://" + address));
      byAddress.put(address, id);
    });
    this.peers = uris;
    this.peersByAddress = byAddress;
    this.maxInFlightPerPeer = 256;
    this.maxBodyBytes = MAX_REQUEST_BYTES;
    this.secret = secret;
    this.pending = new PendingAnswers(maxInFlightPerPeer);
    this.serverHandler = new RaftHttpHandler(self, this::sender, inbound::get, pending, answerTimeout, sharedPort);
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(requestTimeout).build();
  }

  /**
   * Learns the members of {@code config} that this transport cannot reach yet, at their address in
   * the configuration: {@code host:port}, or the {@code raft=} field of {@code key=value;...} (see
   * {@link dev.pontoon.raft.transport.netty.PeerResolver#parse}). Their requests are accepted from
   * then on. A member that leaves is not forgotten: HTTP holds no connection to drop, and a leader
   * that removed itself must still be answered until the change commits; the node sends nothing
   * to a non-member. Statically given addresses are kept. Never blocks.
   */
  @Override
  public void configurationChanged(ClusterConfig config) {
    config.addresses().forEach((id, recorded) -> {
      if (id.equals(self) || peers.containsKey(id)) {
        return;
      }
      InetSocketAddress address = PeerResolver.parse(recorded);
      if (address == null) {
        log.warn("{}: member {} has no usable address ({}); it cannot be reached", self, id, recorded);
        return;
      }
      String hostPort = address.getHostString().contains(":") ? "[" + address.getHostString() + "]:" + address.getPort()
          : address.getHostString() + ":" + address.getPort();
      peersByAddress.putIfAbsent(hostPort, id);
      peers.putIfAbsent(id, URI.create("http://" + hostPort));
      log.info("{}: learned member {} at {}", self, id, hostPort);
    });
  }

  /** The member a request's {@code leader-id} or {@code candidate-id} names, by id or by address. */
  private NodeId sender(String text) {
    NodeId byAddress = peersByAddress.get(text);
    if (byAddress != null) {
      return byAddress;
    }
    NodeId id;
    try {
      id = new NodeId(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("sender '" + text + "' is not a node id: " + e.getMessage());
    }
    if (!peers.containsKey(id)) {
      StringBuilder members = new StringBuilder();
      new TreeMap<>(peersByAddress).forEach((address, member) ->
          members.append(members.length() == 0 ? "" : ", ")
              .append(member.value().equals(address) ? address : member + " at " + address));
      throw new RaftHttpHandler.UnknownSender(text + " is not a member: neither a member's id nor its address "
          + "(other members: " + members + ")");
    }
    return id;
  }

  /**
   * Serves this transport's {@code /raft/*} on another HTTP server's connection: call it for each
   * connection, right after that server's {@code HttpServerCodec} and in place of its
   * {@code HttpObjectAggregator}. It adds, with a cluster secret, the check that a {@code /raft/*}
   * request carries it (on the head, before any body is aggregated), a per-route body limit (this transport's
   * {@link #MAX_REQUEST_BYTES} for {@code /raft/*}, {@code otherMaxBodyBytes} for every other
   * path, 413 beyond), an aggregator, and the Raft handler, which passes every other request on
   * to the handlers added after it.
   *
   * @throws IllegalStateException if this transport has its own server
   */
  public void addRoutes(ChannelPipeline pipeline, int otherMaxBodyBytes) {
    if (bindAddress != null) {
      throw new IllegalStateException("HttpTransport of " + self + " serves its own port " + bindAddress
          + "; only a transport made with sharingPort adds routes to another server");
    }
    if (secret != null) {
      pipeline.addLast(new RaftAuthentication(secret, true));
    }
    pipeline.addLast(new RouteLimits(maxBodyBytes, otherMaxBodyBytes))
        .addLast(new HttpObjectAggregator(Math.max(maxBodyBytes, otherMaxBodyBytes)))
        .addLast(serverHandler);
  }

  /** Binds the server (unless the port is shared) and starts delivering inbound messages to {@code handler}. */
  @Override
  public synchronized void start(InboundHandler handler) {
    if (!inbound.compareAndSet(null, Objects.requireNonNull(handler, "handler"))) {
      throw new IllegalStateException("HttpTransport of " + self + " is already started");
    }
    if (bindAddress == null) {
      return;
    }
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      serverChannel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec());
              if (secret != null) {
                ch.pipeline().addLast(new RaftAuthentication(secret, false));
              }
              ch.pipeline().addLast(new HttpObjectAggregator(maxBodyBytes), serverHandler);
            }
          }).bind(bindAddress).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("cannot serve the Raft HTTP transport on " + bindAddress + ": " + e.getMessage(), e);
    }
  }

  /**
   * The address its own server listens on, once started.
   *
   * @throws IllegalStateException if not started, or if the port is shared ({@link #sharingPort})
   */
  public synchronized InetSocketAddress localAddress() {
    if (serverChannel == null) {
      throw new IllegalStateException(bindAddress == null ? "HttpTransport of " + self + " serves on a shared port"
          : "HttpTransport of " + self + " is not started");
    }
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** How long a request to a peer may take, its answer's body included, as given at construction. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * How long the receiving side waits for this node's response before answering 503, as given at
   * construction; the request timeout when only one was given.
   */
  public Duration answerTimeout() {
    return answerTimeout;
  }

  /**
   * How many messages were dropped: unknown peer, too many in flight, failed request (an answer
   * over the body limit, or whose body is not complete within the request timeout, included) or
   * no waiting exchange.
   */
  public long dropped() {
    return dropped.get();
  }

  @Override
  public void send(RaftMessage message) {
    try {
      if (closed) {
        dropped.incrementAndGet();
      } else if (message instanceof AppendEntries m) {
        post(m, "/raft/append-entries", RaftJson.encode(m), answer -> RaftJson.decodeAppendEntriesResponse(answer, m));
      } else if (message instanceof RequestVote m) {
        post(m, "/raft/request-vote", RaftJson.encode(m), answer -> RaftJson.decodeRequestVoteResponse(answer, m));
      } else if (message instanceof InstallSnapshot m) {
        post(m, "/raft/install-snapshot", RaftJson.encode(m), answer -> RaftJson.decodeInstallSnapshotResponse(answer, m));
      } else if (message instanceof TimeoutNow m) {
        post(m, "/raft/timeout-now", RaftJson.encode(m), answer -> null);
      } else if (message instanceof AppendEntriesResponse m) {
        answer(new PendingAnswers.Key(m.to(), PendingAnswers.Kind.APPEND), m.sequence(), RaftJson.encode(m));
      } else if (message instanceof RequestVoteResponse m) {
        answer(new PendingAnswers.Key(m.to(), m.preVote() ? PendingAnswers.Kind.PRE_VOTE : PendingAnswers.Kind.VOTE), 0,
            RaftJson.encode(m));
      } else if (message instanceof InstallSnapshotResponse m) {
        answer(new PendingAnswers.Key(m.to(), PendingAnswers.Kind.SNAPSHOT), 0, RaftJson.encode(m));
      }
    } catch (RuntimeException e) {
      // send never throws (Transport contract): a message we cannot send is dropped, Raft retries.
      dropped.incrementAndGet();
      log.warn("{} dropped {}: {}", self, message.getClass().getSimpleName(), e.toString());
    }
  }

  private void answer(PendingAnswers.Key key, long sequence, ObjectNode body) {
    PendingAnswers.Pending exchange = pending.take(key, sequence);
    if (exchange == null) {
      dropped.incrementAndGet();
    } else {
      exchange.answer.accept(body);
    }
  }

  private void post(RaftMessage request, String path, ObjectNode body, Function<JsonNode, RaftMessage> toResponse) {
    URI base = peers.get(request.to());
    AtomicInteger count = inFlight.computeIfAbsent(request.to(), id -> new AtomicInteger());
    if (base == null || count.incrementAndGet() > maxInFlightPerPeer) {
      if (base != null) {
        count.decrementAndGet();
      }
      dropped.incrementAndGet();
      return;
    }
    HttpRequest.Builder http = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (secret != null) {
      http.header("Authorization", secret.authorization());
    }
    BodyHandler<byte[]> answer = BoundedAnswer.handler(
        "answer from " + request.to() + " to " + request.getClass().getSimpleName(), maxBodyBytes, requestTimeout);
    client.sendAsync(http.build(), answer).whenComplete((response, failure) -> {
      count.decrementAndGet();
      deliverAnswer(request, response, failure, toResponse);
    });
  }

  private void deliverAnswer(RaftMessage request, HttpResponse<byte[]> response, Throwable failure,
      Function<JsonNode, RaftMessage> toResponse) {
    if (failure == null && response.statusCode() == 401 && refusedBy.add(request.to())) {
      log.warn("{}: {} refuses this node's Raft requests (401: {}); do both hold the same --raft-secret-file?", self,
          request.to(), new String(response.body(), StandardCharsets.UTF_8));
    }
    BoundedAnswer.TooLarge tooLarge = BoundedAnswer.TooLarge.in(failure);
    if (tooLarge != null) {
      dropped.incrementAndGet();
      log.warn("{}: {}; that exchange is dropped", self, tooLarge.getMessage());
      return;
    }
    BoundedAnswer.TooSlow tooSlow = BoundedAnswer.TooSlow.in(failure);
    if (tooSlow != null) {
      dropped.incrementAndGet();
      // A peer that stalls one body likely stalls the next: warn once, until it answers in full.
      if (stalledBy.add(request.to())) {
        log.warn("{}: {}; that exchange is dropped, and later ones are logged at DEBUG until {} answers in time", self,
            tooSlow.getMessage(), request.to());
      } else {
        log.debug("{}: {}; that exchange is dropped", self, tooSlow.getMessage());
      }
      return;
    }
    if (failure != null || response.statusCode() != 200) {
      dropped.incrementAndGet();
      log.debug("{} -> {} {}: {}", self, request.to(), request.getClass().getSimpleName(),
          failure != null ? failure.toString() : "HTTP " + response.statusCode());
      return;
    }
    refusedBy.remove(request.to());
    stalledBy.remove(request.to());
    try {
      JsonNode answer = RaftJson.JSON.readTree(response.body());
      if (answer == null || !answer.isObject()) {
        throw new IllegalArgumentException("answer is not a JSON object");
      }
      RaftMessage reply = toResponse.apply(answer);
      InboundHandler handler = inbound.get();
      if (reply != null && handler != null && !closed) {
        handler.onMessage(reply);
      }
    } catch (Exception e) {
      dropped.incrementAndGet();
      log.warn("{} ignored a malformed answer from {}: {}", self, request.to(), e.getMessage());
    }
  }

  /**
   * The largest message a request body carries: bytes travel in base64 inside JSON, so three
   * quarters of the body limit, less room for the JSON around them. The node packs appends and
   * snapshot pieces under it and refuses larger commands at submit.
   */
  @Override
  public int maxMessageBytes() {
    return (maxBodyBytes - 64 * 1024) / 4 * 3;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
