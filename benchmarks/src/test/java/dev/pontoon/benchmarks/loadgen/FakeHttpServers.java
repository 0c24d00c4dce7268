package dev.pontoon.benchmarks.loadgen;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The JDK's HTTP servers on free loopback ports, standing in for KV nodes in the load tool's
 * tests (the benchmarks module does not depend on the examples, so a real KV node is not at hand).
 * {@link #close()} stops them all.
 */
final class FakeHttpServers implements AutoCloseable {

  private final List<HttpServer> servers = new ArrayList<>();
  private final ExecutorService executor = Executors.newCachedThreadPool();

  /** A server on a free loopback port whose every request is answered by {@code handler}. */
  HttpServer serve(HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/", handler);
    server.setExecutor(executor);
    server.start();
    servers.add(server);
    return server;
  }

  /** The executor the servers' handlers run on, for other test threads to share. */
  ExecutorService executor() {
    return executor;
  }

  static String origin(HttpServer server) {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Reads the request's body and answers {@code status} without a body; returns the request's body. */
  static byte[] answer(HttpExchange exchange, int status) throws IOException {
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    }
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
    return body;
  }

  @Override
  public void close() {
    servers.forEach(s -> s.stop(0));
    executor.shutdownNow();
  }
}
