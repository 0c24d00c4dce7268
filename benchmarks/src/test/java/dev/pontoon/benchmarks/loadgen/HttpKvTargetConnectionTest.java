package dev.pontoon.benchmarks.loadgen;

import dev.pontoon.raft.transport.netty.LoopbackPorts;
import static dev.pontoon.benchmarks.loadgen.FakeHttpServers.answer;
import static dev.pontoon.benchmarks.loadgen.FakeHttpServers.origin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load tool's HTTP client, write by write: keep-alive connections per client, and each way an
 * exchange can go wrong (no connection, no answer, a closed connection, a malformed answer, a
 * redirect it cannot follow) failing that write with a reason while the next write still works.
 */
class HttpKvTargetConnectionTest {

  /**
   * The request timeout of every target but the stall test's: it covers the connect and a cold
   * JDK HttpServer's first answer, which on a loaded CI machine can take far longer than the
   * exchange itself, so a write that must succeed (or fail for another reason) does not time out.
   */
  private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);
  /**
   * The stall test's timeout: its server never answers the first write until the test ends (a
   * latch, not a delay), so any timeout fails it the same way; 2 s keeps the test short.
   */
  private static final long STALL_TIMEOUT = TimeUnit.SECONDS.toNanos(2);
  /** How long {@link #outcome} waits: longer than {@link #TIMEOUT}, so a write always ends first. */
  private static final long OUTCOME_WAIT_SECONDS = 30;

  private final FakeHttpServers fakes = new FakeHttpServers();
  private final ExecutorService executor = fakes.executor();
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    for (AutoCloseable c : closeables) {
      c.close();
    }
    fakes.close();
  }

  private HttpServer serve(HttpHandler handler) throws IOException {
    return fakes.serve(handler);
  }

  private HttpKvTarget target(String origin) {
    return target(origin, TIMEOUT);
  }

  private HttpKvTarget target(String origin, long timeoutNanos) {
    HttpKvTarget target = new HttpKvTarget(URI.create(origin), 16, timeoutNanos);
    closeables.add(target);
    return target;
  }

  /** Waits for the write; returns null when it succeeded, or the message of why it failed. */
  private static String outcome(HttpKvTarget target, int client) throws InterruptedException {
    try {
      target.write(client).get(OUTCOME_WAIT_SECONDS, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause().getMessage();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the write neither succeeded nor failed within " + OUTCOME_WAIT_SECONDS + " s");
    }
  }

  /** A raw TCP server: each accepted connection is handed to {@code session} on its own thread. */
  private int rawServer(Consumer<Socket> session) throws IOException {
    ServerSocket socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
    closeables.add(socket);
    executor.execute(() -> {
      while (!socket.isClosed()) {
        try {
          Socket accepted = socket.accept();
          executor.execute(() -> session.accept(accepted));
        } catch (IOException closed) {
          return;
        }
      }
    });
    return socket.getLocalPort();
  }

  /** Reads one request's head and a 16-byte body. */
  private static void readRequest(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed");
      }
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    in.readNBytes(16);
  }

  @Test
  void eachClientKeepsOneConnectionForItsWrites() throws Exception {
    Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    HttpServer leader = serve(exchange -> {
      clientPorts.add(exchange.getRemoteAddress().getPort());
      answer(exchange, 200);
    });
    HttpKvTarget target = target(origin(leader));

    for (int i = 0; i < 20; i++) {
      assertEquals(null, outcome(target, 0));
      assertEquals(null, outcome(target, 1));
    }

    assertEquals(2, clientPorts.size(), "two clients, two connections: " + clientPorts);
  }

  @Test
  void aServerThatClosesAfterEachAnswerGetsANewConnectionPerWrite() throws Exception {
    Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    HttpServer closing = serve(exchange -> {
      clientPorts.add(exchange.getRemoteAddress().getPort());
      exchange.getResponseHeaders().add("Connection", "close");
      answer(exchange, 200);
    });
    HttpKvTarget target = target(origin(closing));

    for (int i = 0; i < 5; i++) {
      assertEquals(null, outcome(target, 0));
    }

    assertEquals(5, clientPorts.size(), "every write on its own connection: " + clientPorts);
  }

  @Test
  void aWriteWithoutAnswerFailsAfterTheRequestTimeoutAndTheNextOneUsesANewConnection() throws Exception {
    Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    HttpServer stalling = serve(exchange -> {
      boolean first = clientPorts.isEmpty();
      clientPorts.add(exchange.getRemoteAddress().getPort());
      if (first) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      answer(exchange, 200);
    });
    HttpKvTarget target = target(origin(stalling), STALL_TIMEOUT);

    assertEquals("PUT " + origin(stalling) + "/kv/load-0: no answer within 2000 ms", outcome(target, 0));
    assertEquals(null, outcome(target, 0));

    assertEquals(2, clientPorts.size(), "the timed-out connection is not used again: " + clientPorts);
  }

  @Test
  void aRefusedConnectionFailsTheWrite() throws Exception {
    int unused = LoopbackPorts.takeOne();
    HttpKvTarget target = target("http://127.0.0.1:" + unused);

    String failure = outcome(target, 0);

    assertTrue(failure != null && failure.startsWith("PUT http://127.0.0.1:" + unused + "/kv/load-0: "), failure);
  }

  @Test
  void aConnectionClosedBeforeTheAnswerFailsTheWrite() throws Exception {
    int port = rawServer(socket -> {
      try (socket) {
        readRequest(socket);
      } catch (IOException ignored) {
        // the client went away first: nothing to close but the socket
      }
    });
    HttpKvTarget target = target("http://127.0.0.1:" + port);

    assertEquals("PUT http://127.0.0.1:" + port + "/kv/load-0: connection closed before the answer", outcome(target, 0));
  }

  @Test
  void aMalformedAnswerFailsTheWrite() throws Exception {
    int port = rawServer(socket -> {
      try (socket) {
        readRequest(socket);
        OutputStream out = socket.getOutputStream();
        out.write("HTTP/1.1 abc not-a-status\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        socket.getInputStream().read(); // wait for the client to close
      } catch (IOException ignored) {
        // the client closed it: that is the end of this session
      }
    });
    HttpKvTarget target = target("http://127.0.0.1:" + port);

    String failure = outcome(target, 0);

    assertTrue(failure != null && failure.contains("malformed answer"), failure);
  }

  @Test
  void aRedirectToAnotherSchemeIsNotFollowed() throws Exception {
    HttpServer tls = serve(exchange -> {
      exchange.getResponseHeaders().add("Location", "https://127.0.0.1:1/kv/load-0");
      answer(exchange, 307);
    });
    HttpKvTarget target = target(origin(tls));

    assertEquals("PUT " + origin(tls) + "/kv/load-0: redirected to 'https://127.0.0.1:1/kv/load-0', which is not an"
        + " http://HOST:PORT location", outcome(target, 0));
  }

  @Test
  void aClosedTargetFailsWritesInsteadOfHanging() throws Exception {
    HttpServer leader = serve(exchange -> answer(exchange, 200));
    HttpKvTarget target = new HttpKvTarget(URI.create(origin(leader)), 16, TIMEOUT);
    target.close();

    String failure = outcome(target, 0);

    assertTrue(failure != null && failure.contains("closed"), failure);
    assertThrows(ExecutionException.class, () -> target.write(1).get(OUTCOME_WAIT_SECONDS, TimeUnit.SECONDS));
  }
}
