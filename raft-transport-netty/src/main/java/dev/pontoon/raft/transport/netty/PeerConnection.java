package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.RaftMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one long-lived outbound connection to a peer: connects, reconnects with {@link Backoff}
 * after a failure, and carries messages once the handshake is complete. The back-off starts over
 * only once a connection has stayed up for {@code maxBackoff}, not when its handshake completes
 * (see the implementation notes).
 *
 * <p>{@link #send} never blocks: the message joins a queue and one task on the channel's event
 * loop writes every queued message and flushes once, so that a burst of sends costs one flush
 * (one system call). Memory is bounded: a message is dropped when there is no established
 * connection, or when the bytes queued here plus those Netty buffers would pass the high water
 * mark. Thread-safe.
 */
final class PeerConnection {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private final NodeId peer;
  /** Asked before every attempt, so that a moved member or a changed DNS record is picked up. */
  private final Supplier<InetSocketAddress> addresses;
  /** The address of the latest attempt, for log lines. */
  private volatile InetSocketAddress address;
  /** The source address of the next attempt, null for any. */
  private final Supplier<SocketAddress> source;
  private final NettyTransportConfig config;
  private final Bootstrap bootstrap;
  private final Pipelines pipelines;
  private final EventLoopGroup group;
  private final TransportCounters counters;
  private final Backoff backoff;
  private final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final Runnable drain = this::drain;
  private volatile Channel established;
  /** Whether {@link #established} has stayed up for {@code maxBackoff}. */
  private volatile boolean stable;
  /** When the handshake of {@link #established} completed, in {@link System#nanoTime}. */
  private volatile long establishedAt;
  /** Connections in a row whose handshake completed but that closed before they were stable. */
  private final AtomicInteger unstable = new AtomicInteger();
  /** Admits one INFO line a minute about this peer's connections that close before they are stable. */
  private final TransportCounters.OncePerInterval unstableLines =
      new TransportCounters.OncePerInterval(TimeUnit.MINUTES.toNanos(1));
  private volatile Channel current;
  /** The last connection that met itself; its reset already scheduled the next attempt. */
  private volatile Channel selfConnected;
  private volatile boolean closed;

  private record Pending(RaftMessage message, long size) {}

  /*
   * Implementation notes: when the back-off starts over.
   *
   * A completed handshake does not show that the peer is healthy: a peer in a crash loop, a proxy
   * that accepts and resets, or a peer that closes on the first frame completes one handshake after
   * another. Resetting on the handshake re-dialled such a peer every minBackoff forever, with two
   * INFO lines each time. So the back-off starts over only once a connection has stayed up for
   * maxBackoff (a timer on its event loop, started by the handshake, found it still the established
   * connection). The rule bounds the dial rate by the same figure as for a peer that refuses every
   * connection: between two dials either the connection lived at least maxBackoff, or the delay
   * kept growing towards maxBackoff. And a connection that was healthy (up for maxBackoff) is
   * re-dialled within minBackoff when it drops, however fast it drops. Time, not traffic, decides:
   * this connection carries traffic one way only, and an idle cluster sends little.
   *
   * Log lines follow the same rule: "connected" and "lost" stay at INFO while connections are
   * stable; while a peer's connections keep closing before they are stable, their lines go to DEBUG,
   * except one INFO line a minute per peer (the ConnectionErrors pattern), and an INFO line says
   * when a connection is stable again.
   */

  PeerConnection(NodeId peer, Supplier<InetSocketAddress> addresses, Supplier<SocketAddress> source,
      NettyTransportConfig config, Bootstrap bootstrap, Pipelines pipelines, EventLoopGroup group,
      TransportCounters counters) {
    this.peer = peer;
    this.addresses = addresses;
    this.source = source;
    this.config = config;
    this.bootstrap = bootstrap;
    this.pipelines = pipelines;
    this.group = group;
    this.counters = counters;
    this.backoff = new Backoff(config.minBackoff(), config.maxBackoff(), config.jitter());
  }

  NodeId peer() {
    return peer;
  }

  /** Whether the handshake with the peer is complete on the current connection. */
  boolean isEstablished() {
    Channel ch = established;
    return ch != null && ch.isActive();
  }

  /** The connection whose handshake is complete, or null. */
  Channel establishedChannel() {
    return established;
  }

  /** Starts connecting, to the address the supplier gives now. */
  void connect() {
    if (closed) {
      return;
    }
    InetSocketAddress target;
    try {
      target = addresses.get();
    } catch (RuntimeException e) {
      log.warn("{}: cannot find the address of {}", config.localId(), peer, e);
      target = null;
    }
    if (target == null) {
      log.debug("{}: no address known for {} yet", config.localId(), peer);
      reconnectLater();
      return;
    }
    connect(target);
  }

  private void connect(InetSocketAddress target) {
    address = target;
    Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        pipelines.initOutbound(ch, target, PeerConnection.this);
      }
    });
    SocketAddress from = source.get();
    ChannelFuture future = from == null ? b.connect(target) : b.connect(target, from);
    current = future.channel();
    future.addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        log.debug("{}: cannot connect to {} at {}: {}", config.localId(), peer, target, f.cause().toString());
        reconnectLater();
      } else if (f.channel() == selfConnected || isSelfConnection(f.channel())) {
        // The pipeline's SelfConnectGuard resets it and tries again, once the channel is active.
        return;
      } else {
        f.channel().closeFuture().addListener(c -> lost(f.channel()));
        if (closed) {
          f.channel().close();
        }
      }
    });
  }

  /** Whether {@code channel} is connected to itself: its source address is its destination. */
  static boolean isSelfConnection(Channel channel) {
    SocketAddress local = channel.localAddress();
    return local != null && local.equals(channel.remoteAddress());
  }

  /**
   * A TCP self-connect, called by the pipeline's {@link SelfConnectGuard} before anything was sent:
   * nothing listened on the peer's port, the port lies in the kernel's ephemeral range, and the
   * kernel chose it as this connection's source port, so the SYN met itself and the connection
   * succeeded. Closed normally, the socket would hold the peer's port through TIME_WAIT (a
   * minute), and the peer, starting now on this host, could not listen on it. A reset (linger 0)
   * frees the port at once. Whatever happens to the socket, the next attempt is scheduled.
   */
  void selfConnected(Channel channel) {
    selfConnected = channel;
    log.warn("{}: the connection to {} at {} met itself (nothing listens there, and the port is in this host's"
        + " ephemeral range, so it was chosen as the source port); reset, trying again", config.localId(), peer,
        address);
    try {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (ChannelException alreadyClosed) {
      log.debug("{}: the self-connection to {} closed before its reset", config.localId(), peer, alreadyClosed);
    } finally {
      channel.close();
      reconnectLater();
    }
  }

  /** Called by the handshake once the peer has answered. */
  void established(Channel channel) {
    if (closed) {
      channel.close();
      return;
    }
    stable = false;
    establishedAt = System.nanoTime();
    established = channel;
    awaitStable(channel);
    if (unstable.get() == 0) {
      log.info("{}: connected to {} at {}", config.localId(), peer, address);
    } else {
      log.debug("{}: connected to {} at {}", config.localId(), peer, address);
    }
  }

  /** Starts the back-off over once {@code channel} has stayed up for {@code maxBackoff}. */
  private void awaitStable(Channel channel) {
    try {
      ScheduledFuture<?> check = channel.eventLoop().schedule(() -> stable(channel), config.maxBackoff().toNanos(),
          TimeUnit.NANOSECONDS);
      channel.closeFuture().addListener(f -> check.cancel(false));
    } catch (RejectedExecutionException e) {
      // The transport is closing: no reconnect follows, so the back-off does not matter.
    }
  }

  private void stable(Channel channel) {
    if (established != channel || !channel.isActive()) {
      return;
    }
    stable = true;
    backoff.reset();
    int before = unstable.getAndSet(0);
    if (before > 0) {
      log.info("{}: connection to {} at {} stable again: up for {}, after {} connections in a row that closed"
          + " sooner", config.localId(), peer, address, config.maxBackoff(), before);
    }
  }

  private void lost(Channel channel) {
    if (established == channel) {
      established = null;
      if (closed) {
        return;
      }
      if (stable) {
        log.info("{}: connection to {} at {} lost", config.localId(), peer, address);
      } else {
        lostUnstable();
      }
    }
    reconnectLater();
  }

  /** The established connection closed before it was stable: the back-off keeps growing. */
  private void lostUnstable() {
    int count = unstable.incrementAndGet();
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - establishedAt);
    if (unstableLines.tryAcquire()) {
      log.info("{}: connection to {} at {} lost {} ms after its handshake; {} in a row have closed before staying up"
          + " for maxBackoff ({}), so reconnects wait longer each time (while this goes on, such lines are logged at"
          + " INFO at most once a minute per peer, the others at DEBUG)", config.localId(), peer, address, millis,
          count, config.maxBackoff());
    } else {
      log.debug("{}: connection to {} at {} lost {} ms after its handshake; {} in a row have closed before staying"
          + " up for maxBackoff", config.localId(), peer, address, millis, count);
    }
  }

  private void reconnectLater() {
    if (closed || group.isShuttingDown()) {
      return;
    }
    // Counted before scheduling, so that the count is visible once the new attempt runs.
    counters.reconnects.increment();
    try {
      group.schedule((Runnable) this::connect, backoff.nextDelayNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The transport is closing: its I/O threads accept no new tasks, and no reconnect is wanted.
    }
  }

  /** Queues {@code message} of encoded size {@code size} for the peer, or drops and counts it. */
  void send(RaftMessage message, long size) {
    Channel ch = established;
    if (ch == null || !ch.isActive()) {
      counters.droppedNotConnected.increment();
      return;
    }
    // One message may overshoot the mark, so that a batch larger than the mark still goes out.
    if (!ch.isWritable() || queuedBytes.get() > ch.bytesBeforeUnwritable()) {
      counters.droppedUnwritable.increment();
      return;
    }
    queue.add(new Pending(message, size));
    queuedBytes.addAndGet(size);
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        ch.eventLoop().execute(drain);
      } catch (RejectedExecutionException e) {
        // The transport closed since the checks above; send must not throw. close() drops the queue.
        drainScheduled.set(false);
        counters.droppedClosed.increment();
      }
    }
  }

  /** Runs on the event loop: writes everything queued, then flushes once. */
  private void drain() {
    // Cleared before polling: a send that finds the flag set has queued its message before
    // this loop can end, or schedules a new drain.
    drainScheduled.set(false);
    Channel ch = established;
    int written = 0;
    for (Pending p; (p = queue.poll()) != null; ) {
      queuedBytes.addAndGet(-p.size());
      if (ch == null || !ch.isActive()) {
        counters.droppedNotConnected.increment();
      } else {
        ch.write(p.message(), ch.voidPromise());
        written++;
      }
    }
    if (written > 0) {
      ch.flush();
      counters.sent.add(written);
    }
  }

  /** Stops reconnecting and closes the connection; queued messages are dropped. */
  void close() {
    closed = true;
    Channel ch = current;
    if (ch != null) {
      ch.close();
    }
    for (Pending p; (p = queue.poll()) != null; ) {
      queuedBytes.addAndGet(-p.size());
      counters.droppedClosed.increment();
    }
  }
}
