package dev.pontoon.benchmarks.loadgen;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * then. 503 (no leader known) is such a failure: the caller counts it and tries again.
 *
 * <p>HTTP/1.1 without upgrade, one connection per outstanding write at most (the client pools
 * them), {@value #REQUEST_TIMEOUT_SECONDS} s per request.
 */
final class HttpKvTarget implements WriteTarget {

  static final int MAX_REDIRECTS = 5;
  static final int REQUEST_TIMEOUT_SECONDS = 10;

  private final URI target;
  private final HttpClient client;
  private final byte[] value;
  /** Where writes go: {@link #target} until a redirect names the leader. */
  private final AtomicReference<URI> base;

  HttpKvTarget(URI target, int valueSize) {
    this.target = target;
    this.base = new AtomicReference<>(target);
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    this.value = new byte[valueSize];
    for (int i = 0; i < valueSize; i++) {
      value[i] = (byte) ('a' + i % 26);
    }
  }

  @Override
  public CompletableFuture<?> write(int client) {
    return put(base.get().resolve("/kv/load-" + client), 0).whenComplete((ok, failure) -> {
      if (failure != null) {
        base.set(target);
      }
    });
  }

  private CompletableFuture<Void> put(URI uri, int redirects) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(REQUEST_TIMEOUT_SECONDS))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).build();
    CompletableFuture<HttpResponse<Void>> sent;
    try {
      sent = client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return sent.thenCompose(response -> {
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        return CompletableFuture.completedFuture(null);
      }
      Optional<String> location = response.headers().firstValue("Location");
      if ((status == 307 || status == 308) && location.isPresent()) {
        if (redirects == MAX_REDIRECTS) {
          return failed("PUT " + uri + ": more than " + MAX_REDIRECTS + " redirects");
        }
        URI next;
        try {
          next = uri.resolve(location.get());
        } catch (IllegalArgumentException e) {
          return failed("PUT " + uri + ": bad Location '" + location.get() + "'");
        }
        base.set(URI.create(next.getScheme() + "://" + next.getRawAuthority()));
        return put(next, redirects + 1);
      }
      return failed("PUT " + uri + " answered " + status);
    });
  }

  private static CompletableFuture<Void> failed(String why) {
    return CompletableFuture.failedFuture(new IOException(why));
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
    // Java 17's HttpClient has no close(): its threads end once it is unreachable.
  }
}
