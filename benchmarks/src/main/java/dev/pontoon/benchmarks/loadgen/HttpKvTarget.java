package dev.pontoon.benchmarks.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code --target http://HOST:PORT}: a running KV cluster (the examples' {@code pontoon-kv}),
 * written to with {@code PUT /kv/load-<client>} and a body of the configured size. Each client
 * overwrites its own key, so the cluster's state stays small however long the run.
 *
 * <p><b>Redirects.</b> A follower answers 307 (or 308) with a {@code Location} on the leader; the
 * write follows it, up to {@value #MAX_REDIRECTS} times, and later writes go straight to that
 * leader. A write that fails (no connection, a timeout, any other status than 2xx) sends the
 * next writes to the address given on the command line again, which redirects to whoever leads
 * then. 503 (no leader known) is such a failure: the caller counts it and tries again. Only
 * {@code http} locations are followed.
 *
 * <p><b>Connections.</b> HTTP/1.1 on Netty: each client keeps one connection open to where its
 * writes go (a closed-loop client has one write outstanding, so no pipelining is needed) and
 * opens a new one when its writes move to another node, when the server closes it, or after a
 * failure. {@value #REQUEST_TIMEOUT_SECONDS} s per request, {@value #CONNECT_TIMEOUT_MILLIS} ms per
 * connect. All connections share one I/O thread, which also completes the futures: the tool's
 * own cost per write is that of one small HTTP exchange, so that {@code cpu-us/op} and the
 * latencies describe the cluster more than the client. (The JDK's {@code HttpClient}, used
 * before, spent 0.8–1.5 ms of the tool's CPU per write, which made the tool the limit of a run.)
 *
 * <p><b>Threading.</b> {@link #write} from any thread; the write itself runs on the I/O thread.
 */
final class HttpKvTarget implements WriteTarget {

  static final int MAX_REDIRECTS = 5;
  static final int REQUEST_TIMEOUT_SECONDS = 10;
  static final int CONNECT_TIMEOUT_MILLIS = 5000;

  private final URI target;
  private final byte[] value;
  private final long timeoutNanos;
  /** Where writes go: {@link #target} until a redirect names the leader. */
  private final AtomicReference<URI> base;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  /** Each client's connection; read and changed only on {@link #loop}. */
  private final Map<Integer, KvConnection> connections = new HashMap<>();

  HttpKvTarget(URI target, int valueSize) {
    this(target, valueSize, TimeUnit.SECONDS.toNanos(REQUEST_TIMEOUT_SECONDS));
  }

  /** With another request timeout than {@value #REQUEST_TIMEOUT_SECONDS} s, for tests. */
  HttpKvTarget(URI target, int valueSize, long timeoutNanos) {
    this.target = target;
    this.base = new AtomicReference<>(target);
    this.timeoutNanos = timeoutNanos;
    this.value = new byte[valueSize];
    for (int i = 0; i < valueSize; i++) {
      value[i] = (byte) ('a' + i % 26);
    }
    this.group = new MultiThreadIoEventLoopGroup(1, r -> {
      Thread t = new Thread(r, "pontoon-load-http");
      t.setDaemon(true);
      return t;
    }, NioIoHandler.newFactory());
    this.loop = group.next();
    this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS);
  }

  @Override
  public CompletableFuture<?> write(int client) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    URI uri = base.get().resolve("/kv/load-" + client);
    if (loop.inEventLoop()) {
      put(client, uri, 0, done);
    } else {
      try {
        loop.execute(() -> put(client, uri, 0, done));
      } catch (RejectedExecutionException e) {
        done.completeExceptionally(new IOException("the HTTP client is closed", e));
      }
    }
    return done.whenComplete((ok, failure) -> {
      if (failure != null) {
        base.set(target);
      }
    });
  }

  /** Sends the PUT to {@code uri} on the client's connection there and follows a redirect; on {@link #loop}. */
  private void put(int client, URI uri, int redirects, CompletableFuture<Void> done) {
    KvConnection connection = connectionTo(client, uri);
    connection.exchange(request(uri), timeoutNanos).whenComplete((answer, failure) -> {
      if (failure != null) {
        // The connection already closed itself: a failed exchange never leaves it usable.
        done.completeExceptionally(new IOException("PUT " + uri + ": " + failure.getMessage(), failure));
        return;
      }
      int status = answer.status();
      if (status >= 200 && status < 300) {
        done.complete(null);
        return;
      }
      if ((status == 307 || status == 308) && answer.location() != null) {
        if (redirects == MAX_REDIRECTS) {
          done.completeExceptionally(new IOException("PUT " + uri + ": more than " + MAX_REDIRECTS + " redirects"));
          return;
        }
        URI next;
        try {
          next = uri.resolve(answer.location());
        } catch (IllegalArgumentException e) {
          done.completeExceptionally(new IOException("PUT " + uri + ": bad Location '" + answer.location() + "'"));
          return;
        }
        if (!"http".equalsIgnoreCase(next.getScheme()) || next.getHost() == null) {
          done.completeExceptionally(new IOException("PUT " + uri + ": redirected to '" + answer.location()
              + "', which is not an http://HOST:PORT location"));
          return;
        }
        base.set(URI.create("http://" + next.getRawAuthority()));
        put(client, next, redirects + 1, done);
        return;
      }
      done.completeExceptionally(new IOException("PUT " + uri + " answered " + status));
    });
  }

  /** The client's open connection to {@code uri}'s host and port, or a new one (closing one elsewhere). */
  private KvConnection connectionTo(int client, URI uri) {
    String origin = uri.getRawAuthority();
    KvConnection current = connections.get(client);
    if (current != null && current.origin().equals(origin) && current.isUsable()) {
      return current;
    }
    if (current != null) {
      current.close();
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    KvConnection fresh = new KvConnection(bootstrap, origin, uri.getHost(), port);
    connections.put(client, fresh);
    return fresh;
  }

  private FullHttpRequest request(URI uri) {
    String path = uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, path,
        Unpooled.wrappedBuffer(value));
    request.headers().set(HttpHeaderNames.HOST, uri.getRawAuthority())
        .setInt(HttpHeaderNames.CONTENT_LENGTH, value.length);
    return request;
  }

  @Override
  public long logSyncs() {
    return -1;
  }

  @Override
  public String describe() {
    return "the KV cluster at " + target + ", PUT /kv/load-<client> following redirects";
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
