package dev.pontoon.examples.httptransport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A peer on a raw loopback {@link ServerSocket} that answers every request with a status line and
 * headers ({@code 200}, a {@code Content-Length} of {@link #DECLARED_BYTES}) and then stalls the
 * body: it sends none of it and holds the connection until the client hangs up. For tests that a
 * reader's timeout covers an answer's body, not only its head. Once {@link #answerInFull} is
 * called, it answers the requests that come after in full instead, so a test can show the peer is
 * still reached once it behaves.
 */
public final class StalledBodyServer implements AutoCloseable {
  /** The body length each answer declares and never sends. */
  public static final int DECLARED_BYTES = 100;
  private final ServerSocket socket;
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "stalled-body-server");
    t.setDaemon(true);
    return t;
  });
  private final ConcurrentLinkedQueue<Socket> connections = new ConcurrentLinkedQueue<>();
  private final AtomicInteger stalled = new AtomicInteger();
  private final AtomicInteger hungUp = new AtomicInteger();
  /** What a request is answered with in full; null while answers stall. */
  private volatile byte[] fullAnswer;

  /** Starts accepting on a free loopback port. */
  public StalledBodyServer() throws IOException {
    socket = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
    threads.execute(() -> {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          connections.add(s);
          threads.execute(() -> serve(s));
        } catch (IOException e) {
          // closed
        }
      }
    });
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String base() {
    return "http://" + hostPort();
  }

  /** {@code 127.0.0.1:PORT}. */
  public String hostPort() {
    return socket.getInetAddress().getHostAddress() + ":" + socket.getLocalPort();
  }

  /** How many answers had their head sent and their body stalled. */
  public int stalled() {
    return stalled.get();
  }

  /** How many stalled answers the client hung up on. */
  public int hungUp() {
    return hungUp.get();
  }

  /**
   * From now on answers each request in full, with {@code json} as a {@code 200} body of its
   * length, and closes the connection; the answers stalled already stay stalled.
   */
  public void answerInFull(String json) {
    fullAnswer = json.getBytes(StandardCharsets.UTF_8);
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      in.readNBytes(contentLength(in));
      OutputStream out = s.getOutputStream();
      byte[] full = fullAnswer;
      if (full != null) {
        out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + full.length
            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(full);
        return;
      }
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + DECLARED_BYTES + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      stalled.incrementAndGet();
      in.transferTo(OutputStream.nullOutputStream()); // until the client hangs up
      hungUp.incrementAndGet();
    } catch (IOException e) {
      // a reset is a hang-up too, or the server was closed
      hungUp.incrementAndGet();
    }
  }

  /** Reads a request's head up to the blank line, and returns its {@code Content-Length}. */
  private static int contentLength(InputStream in) throws IOException {
    int length = 0;
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b != '\n') {
        line.write(b);
        continue;
      }
      String text = line.toString(StandardCharsets.US_ASCII).strip();
      line.reset();
      if (text.isEmpty()) {
        return length;
      }
      if (text.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(text.substring("content-length:".length()).strip());
      }
    }
    throw new IOException("the request ended in its head");
  }

  @Override
  public void close() throws IOException {
    socket.close();
    for (Socket s : connections) {
      s.close();
    }
    threads.shutdownNow();
  }
}
