package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} over TCP, optionally with mutual TLS, built on Netty. The wire format is
 * described in {@code WIRE-FORMAT.md}.
 *
 * <pre>{@code
 * NettyTransport transport = new NettyTransport(NettyTransportConfig.builder(NodeId.of("n1"), ClusterId.of("payments-raft"))
 *     .listenAddress(new InetSocketAddress("10.0.0.1", 7000))
 *     .peer(NodeId.of("n2"), new InetSocketAddress("10.0.0.2", 7000))
 *     .peer(NodeId.of("n3"), new InetSocketAddress("10.0.0.3", 7000))
 *     .tls(Path.of("n1-chain.pem"), Path.of("n1-key.pem"), Path.of("cluster-ca.pem"))
 *     .build());
 * // hand it to the node builder, which calls start(...) and close()
 * }</pre>
 *
 * <p><b>Connections.</b> The transport keeps one outbound connection to every peer and reconnects
 * with exponential back-off and jitter when it fails, looking a host name up again before each
 * attempt. The back-off starts over only once a connection has stayed up for {@code maxBackoff}:
 * a peer that completes the handshake and then closes at once (a crash loop, a resetting proxy) is
 * re-dialled with growing delays, and its "connected" and "lost" lines are logged at INFO at most
 * once a minute (DEBUG otherwise) until a connection to it stays up again. The peers are the
 * statically configured ones until the node reports its cluster configuration, then that
 * configuration's members ({@link #configurationChanged}): members added at run time are reached
 * at the address the configuration records for them (or the host's {@link PeerResolver} gives),
 * and removed ones are dropped. Every connection opens with a
 * handshake that names the cluster and the node on both ends: a node of another cluster, a node
 * that is not a configured peer, or (with TLS) a node without a certificate from the trusted CA
 * or whose certificate does not name the node id it claims, or (with a shared secret) a node that
 * cannot prove it knows the secret, is refused before any Raft message of it is decoded. Without
 * TLS or a shared secret, a WARN at start says that the cluster is unauthenticated. Limits on what
 * an unauthenticated or slow peer can make a node hold are in {@code WIRE-FORMAT.md}. A frame that
 * does not decode, or that breaks the protocol (a message not from the connected peer or not for
 * this node), closes its connection with one log line and a counter, and nothing behind it on
 * that connection is delivered, even if the same read brought it; other connections and the
 * messages already delivered are unaffected.
 *
 * <p><b>Threading.</b> {@link #send} may be called from any thread; it never blocks and never
 * throws. Messages to a peer without an established connection, or whose connection is above its
 * high water mark, are dropped and counted in {@link #stats()}: Raft retries. Writes are coalesced:
 * the messages queued for a peer are written and flushed once per event-loop turn. The {@link
 * InboundHandler} is called from Netty I/O threads, concurrently for different peers; it must only
 * enqueue. An exception it throws is logged and the message is lost; the connection stays open.
 *
 * <p><b>Lifecycle.</b> {@link #start} binds the listen address and starts connecting; {@link
 * #close} closes every connection and stops the I/O threads. After {@code close} returns, no
 * message is delivered (unless {@code close} is called from an I/O thread of this transport, in
 * which case it does not wait for the threads to stop).
 */
public final class NettyTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private enum State { NEW, STARTED, CLOSED }

  private final NettyTransportConfig config;
  private final TransportCounters counters = new TransportCounters();
  private final Peers peers;
  private final InboundBudget budget;
  private final UnauthenticatedConnections unauthenticated;
  /** The one accepted inbound connection of each peer; a newer one replaces it. */
  private final java.util.concurrent.ConcurrentMap<NodeId, Channel> inboundByPeer =
      new java.util.concurrent.ConcurrentHashMap<>();
  private volatile State state = State.NEW;
  private volatile InboundHandler inbound;
  private EventLoopGroup group;
  private ChannelGroup channels;
  private Channel server;
  private TlsMaterial tls;
  /** The source address of each outgoing attempt, null for any; only tests choose one, to force a TCP self-connect. */
  private volatile Function<NodeId, SocketAddress> outgoingSource = peer -> null;

  /** Binds each outgoing attempt to the address {@code source} gives (null for any); for tests, before {@link #start}. */
  void outgoingSourceForTests(Function<NodeId, SocketAddress> source) {
    outgoingSource = source;
  }

  /** A transport for {@code config}; nothing is bound or connected before {@link #start}. */
  public NettyTransport(NettyTransportConfig config) {
    this.config = java.util.Objects.requireNonNull(config, "config");
    this.budget = new InboundBudget(config.maxInboundBufferedBytes());
    this.peers = new Peers(config, inboundByPeer);
    this.unauthenticated = new UnauthenticatedConnections(config.localId(), config.maxUnauthenticatedConnections(),
        counters.unauthenticatedEvicted);
  }

  /**
   * The transport's one I/O event loop, as an executor: pass it to the engine's
   * {@code NodeScheduler.eventLoopOn} to run the node's event loop on this transport's I/O thread.
   * Every connection of the transport is served by that thread (this needs
   * {@code ioThreads(1)}), so a message read from a socket joins the node's loop without waking
   * another thread, and what the loop sends is written without handing it to one. A task that
   * blocks holds up every connection of this transport meanwhile (see {@code eventLoopOn}).
   *
   * <p>Callable before {@link #start}: the I/O thread is created then and starts with its first
   * task. Tasks submitted after {@link #close} are refused ({@link
   * java.util.concurrent.RejectedExecutionException}); a node closes its transport itself, once
   * its loop has stopped.
   *
   * @throws IllegalStateException unless the configuration has exactly one I/O thread, or after
   *     {@link #close}
   */
  public synchronized java.util.concurrent.Executor eventLoop() {
    if (config.ioThreads() != 1) {
      throw new IllegalStateException("eventLoop() needs ioThreads(1), so that one thread serves every connection; "
          + config.localId() + "'s transport has ioThreads(" + config.ioThreads() + ")");
    }
    if (state == State.CLOSED) {
      throw new IllegalStateException("transport of " + config.localId() + " is closed");
    }
    return ioGroup().next();
  }

  /** The I/O event loop group, created on first use. */
  private synchronized EventLoopGroup ioGroup() {
    if (group == null) {
      group = EventLoops.newGroup(config.ioThreads(), "pontoon-netty-" + config.localId());
    }
    return group;
  }

  /**
   * Binds the listen address and starts connecting to every peer.
   *
   * @throws IllegalStateException if already started or closed, when the TLS files cannot be read
   *     or hold unsound material (a key of another certificate, a certificate outside its
   *     validity period), or when the shared secret cannot be read or is too short; the message
   *     names the file and the problem
   * @throws UncheckedIOException if the listen address cannot be bound
   */
  @Override
  public synchronized void start(InboundHandler handler) {
    java.util.Objects.requireNonNull(handler, "handler");
    if (state != State.NEW) {
      throw new IllegalStateException("transport of " + config.localId() + " is " + state + ", not NEW");
    }
    Pipelines pipelines = pipelines();
    inbound = handler;
    ioGroup();
    channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    ChannelFuture bound = serverBootstrap(pipelines).bind(config.listenAddress()).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
      state = State.CLOSED;
      Throwable cause = bound.cause();
      throw new UncheckedIOException("cannot listen on " + config.listenAddress() + " for " + config.localId()
          + ": " + cause.getMessage(), cause instanceof IOException io ? io : new IOException(cause));
    }
    server = bound.channel();
    if (tls != null) {
      long every = config.tls().reloadInterval().toNanos();
      group.next().scheduleWithFixedDelay(tls::reloadIfChanged, every, every, TimeUnit.NANOSECONDS);
    }
    Bootstrap client = clientBootstrap();
    state = State.STARTED;
    securityWarnings(config).forEach(warning -> log.warn("{}: {}", config.localId(), warning));
    peers.start(id -> new PeerConnection(id, () -> peers.addressOf(id), () -> outgoingSource.apply(id), config, client,
        pipelines, group, counters),
        group);
    log.info("{}: listening on {} ({}, {}, {} peers)", config.localId(), server.localAddress(),
        EventLoops.nativeTransport() ? "epoll" : "nio", security(config), peers.size());
  }

  /**
   * Takes the members of {@code config} as this node's peers: a new member is connected to at the
   * address its static configuration, or the {@linkplain NettyTransportConfig#peerResolver()
   * resolver} reading its address in {@code config}, gives, and may connect in (TLS identity and
   * shared-secret checks apply as to every peer). A node that left the configuration keeps its
   * connections for {@link NettyTransportConfig#removedMemberLinger()}, then they are closed and
   * not reopened. While this node is not itself a member of {@code config} (waiting to be added),
   * the static peers stay peers too. Never blocks; may be called before {@link #start}.
   */
  @Override
  public void configurationChanged(dev.pontoon.raft.log.ClusterConfig config) {
    if (state != State.CLOSED) {
      peers.configurationChanged(config);
    }
  }

  private static String security(NettyTransportConfig config) {
    String transport = config.tlsEnabled() ? "mutual TLS" : "plain TCP";
    return config.sharedSecretFile() == null ? transport : transport + " with a shared secret";
  }

  /** The warnings logged at start about what this configuration leaves unauthenticated. */
  static java.util.List<String> securityWarnings(NettyTransportConfig config) {
    java.util.List<String> warnings = new java.util.ArrayList<>();
    if (!config.tlsEnabled() && config.sharedSecretFile() == null) {
      warnings.add("the cluster is UNAUTHENTICATED: plain TCP without a shared secret, so anyone who can reach "
          + config.listenAddress() + " can act as a member and rewrite the replicated log; configure tls(...), or"
          + " sharedSecret(...) where TLS is impossible");
    }
    if (config.tlsEnabled() && config.tls().insecureSkipNodeIdVerification()) {
      warnings.add("INSECURE: peers' certificates are not checked for the node id they claim"
          + " (insecureSkipNodeIdVerification): any holder of a certificate from the trusted CA can act as any member");
    }
    if (config.tlsEnabled() && config.tls().insecureSkipHostNameVerification()) {
      warnings.add("INSECURE: host names of peers are not verified (insecureSkipHostNameVerification)");
    }
    return warnings;
  }

  private Pipelines pipelines() {
    InboundDispatcher.Shared shared = new InboundDispatcher.Shared(config, peers.admitted(), this::deliver, counters,
        unauthenticated, inboundByPeer, sharedSecret(), new SecureRandom());
    tls = config.tlsEnabled() ? TlsMaterial.load(config.tls(), config.localId(), counters, Clock.systemUTC()) : null;
    return new Pipelines(shared, tls, budget);
  }

  private SharedSecret sharedSecret() {
    if (config.sharedSecretFile() == null) {
      return null;
    }
    try {
      return SharedSecret.load(config.sharedSecretFile());
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot load the shared secret of " + config.localId() + " from "
          + config.sharedSecretFile() + ": " + e.getMessage(), e);
    }
  }

  private ServerBootstrap serverBootstrap(Pipelines pipelines) {
    return new ServerBootstrap()
        .group(group)
        .channel(EventLoops.serverChannel())
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            channels.add(ch);
            unauthenticated.admit(ch);
            pipelines.initInbound(ch);
          }
        });
  }

  private Bootstrap clientBootstrap() {
    return new Bootstrap()
        .group(group)
        .channel(EventLoops.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.SO_KEEPALIVE, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()));
  }

  /** Never blocks, never throws; drops and counts what cannot be sent now. */
  @Override
  public void send(RaftMessage message) {
    if (state != State.STARTED) {
      counters.droppedClosed.increment();
      return;
    }
    PeerConnection connection = peers.connection(message.to());
    if (connection == null) {
      counters.droppedUnknownPeer.increment();
      return;
    }
    long size = FrameEncoder.frameSize(message);
    if (size - WireFormat.LENGTH_FIELD_SIZE > config.maxFrameSize()) {
      if (counters.droppedOversize.sum() == 0) {
        log.warn("{}: dropping a {} of {} bytes to {}: above maxFrameSize {}; raise maxFrameSize or send"
            + " smaller batches (further drops are only counted)", config.localId(),
            message.getClass().getSimpleName(), size, message.to(), config.maxFrameSize());
      }
      counters.droppedOversize.increment();
      return;
    }
    connection.send(message, size);
  }

  private void deliver(RaftMessage message) {
    if (state != State.STARTED) {
      return;
    }
    counters.received.increment();
    try {
      inbound.onMessage(message);
    } catch (RuntimeException e) {
      log.warn("{}: inbound handler failed on {} from {}", config.localId(), message.getClass().getSimpleName(),
          message.from(), e);
    }
  }

  /**
   * The frame limit ({@code maxFrameSize}) less the frame header: what a message's own encoding
   * may take. The node packs appends and snapshot pieces under it and refuses larger commands at
   * submit, so nothing it sends is dropped here as oversize.
   */
  @Override
  public int maxMessageBytes() {
    return config.maxFrameSize() - WireFormat.HEADER_SIZE;
  }

  /** Closes every connection and stops the I/O threads. Idempotent. */
  @Override
  public void close() {
    EventLoopGroup stopping;
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      boolean started = state == State.STARTED;
      state = State.CLOSED;
      stopping = group;
      if (started) {
        peers.close();
        server.close();
        channels.close();
      } else if (stopping == null) {
        return;
      }
    }
    io.netty.util.concurrent.Future<?> terminated = stopping.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    if (!calledFromIoThread(stopping)) {
      terminated.awaitUninterruptibly();
    }
    log.info("{}: transport closed", config.localId());
  }

  /** An I/O thread cannot wait for its own group to terminate. */
  private static boolean calledFromIoThread(EventLoopGroup group) {
    for (io.netty.util.concurrent.EventExecutor executor : group) {
      if (executor.inEventLoop()) {
        return true;
      }
    }
    return false;
  }

  /**
   * The address this transport listens on, with the actual port when port 0 was configured.
   *
   * @throws IllegalStateException before {@link #start}
   */
  public InetSocketAddress localAddress() {
    Channel ch = server;
    if (ch == null) {
      throw new IllegalStateException("transport of " + config.localId() + " is not started");
    }
    return (InetSocketAddress) ch.localAddress();
  }

  /** Whether the handshake with {@code peer} is complete on its outbound connection now. */
  public boolean isConnected(NodeId peer) {
    PeerConnection connection = peers.connection(peer);
    return state == State.STARTED && connection != null && connection.isEstablished();
  }

  /** The established outbound channel to {@code peer}, or null; for tests of this package. */
  Channel channelTo(NodeId peer) {
    PeerConnection connection = peers.connection(peer);
    return connection == null ? null : connection.establishedChannel();
  }

  /** The live counters, for tests of this package. */
  TransportCounters counters() {
    return counters;
  }

  /** A snapshot of this transport's counters. */
  public NettyTransportStats stats() {
    return counters.snapshot(unauthenticated.size(), budget.reserved());
  }

  /** The configuration this transport runs with. */
  public NettyTransportConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "NettyTransport[" + config.localId() + ", " + state + "]";
  }
}
