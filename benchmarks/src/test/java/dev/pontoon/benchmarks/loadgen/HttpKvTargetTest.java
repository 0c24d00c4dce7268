package dev.pontoon.benchmarks.loadgen;

import static dev.pontoon.benchmarks.loadgen.FakeHttpServers.answer;
import static dev.pontoon.benchmarks.loadgen.FakeHttpServers.origin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --target} against a fake KV cluster of two HTTP servers speaking the KV API's write
 * path: a follower that answers {@code PUT /kv/{key}} with 307 and a {@code Location} on the
 * leader, and a leader that answers 200. (The benchmarks module does not depend on the examples,
 * so a real KV node is not at hand here.)
 */
class HttpKvTargetTest {

  private final FakeHttpServers fakes = new FakeHttpServers();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void stop() {
    fakes.close();
  }

  private HttpServer serve(HttpHandler handler) throws IOException {
    return fakes.serve(handler);
  }

  private int run(String... args) throws InterruptedException {
    return LoadGenerator.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String line() {
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\\R");
    assertEquals(1, lines.length, out.toString(StandardCharsets.UTF_8));
    assertTrue(lines[0].matches(LoadResultTest.LINE), lines[0]);
    return lines[0];
  }

  @Test
  void writesFollowTheFollowersRedirectThenGoStraightToTheLeader() throws Exception {
    Set<String> keys = ConcurrentHashMap.newKeySet();
    AtomicInteger leaderWrites = new AtomicInteger();
    AtomicInteger badWrites = new AtomicInteger();
    AtomicInteger redirected = new AtomicInteger();
    HttpServer leader = serve(exchange -> {
      byte[] body = answer(exchange, 200);
      boolean put = exchange.getRequestMethod().equals("PUT") && exchange.getRequestURI().getPath().startsWith("/kv/");
      if (put && body.length == 100) {
        keys.add(exchange.getRequestURI().getPath());
        leaderWrites.incrementAndGet();
      } else {
        badWrites.incrementAndGet();
      }
    });
    HttpServer follower = serve(exchange -> {
      exchange.getResponseHeaders().add("Location", origin(leader) + exchange.getRequestURI());
      answer(exchange, 307);
      redirected.incrementAndGet();
    });

    int status = run("--target", origin(follower), "--concurrency", "4", "--value-size", "100", "--warmup-s", "1",
        "--duration-s", "2");

    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    String line = line();
    assertTrue(line.contains(" errors=0 syncs/op=- cpu-us/op="), line);
    assertTrue(leaderWrites.get() > 4, "writes reached the leader: " + leaderWrites);
    assertEquals(0, badWrites.get(), "every write is a PUT /kv/{key} with the value's bytes");
    assertTrue(redirected.get() <= 4, "only each client's first write goes through the follower: " + redirected);
    assertEquals(Set.of("/kv/load-0", "/kv/load-1", "/kv/load-2", "/kv/load-3"), keys);
  }

  @Test
  void aClusterWithoutLeaderGivesErrorsAndNoOpsAndStatusOne() throws Exception {
    HttpServer noLeader = serve(exchange -> {
      exchange.getResponseHeaders().add("Retry-After", "1");
      answer(exchange, 503);
    });

    assertEquals(1, run("--target", origin(noLeader), "--concurrency", "2", "--warmup-s", "1", "--duration-s", "2"));

    String line = line();
    assertTrue(line.startsWith("ops=0 ops/s=0.0 "), line);
    assertTrue(line.matches(".* errors=[1-9]\\d* syncs/op=- cpu-us/op=-"), line + "\n" + err.toString(StandardCharsets.UTF_8));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("answered 503"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aRedirectLoopIsAnError() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    HttpServer[] self = new HttpServer[1];
    self[0] = serve(exchange -> {
      requests.incrementAndGet();
      exchange.getResponseHeaders().add("Location", origin(self[0]) + exchange.getRequestURI());
      answer(exchange, 307);
    });

    assertEquals(1, run("--target", origin(self[0]), "--concurrency", "1", "--warmup-s", "1", "--duration-s", "2"));

    String line = line();
    assertTrue(line.matches("ops=0 .* errors=[1-9]\\d* .*"), line);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("more than " + HttpKvTarget.MAX_REDIRECTS + " redirects"));
    assertEquals(0, requests.get() % (HttpKvTarget.MAX_REDIRECTS + 1), "each write gives up after the last redirect");
  }
}
