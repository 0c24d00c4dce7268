package dev.pontoon.examples.httptransport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RaftMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sending side's request timeout covers the whole exchange, the answer's body included: a peer
 * that sends an answer's head and then stalls its body fails that exchange once the timeout has
 * passed (the message is dropped and counted, a warning names the peer, the sender hangs up), and
 * the exchange's in-flight slot is free again. On real loopback sockets, against a peer on a raw
 * {@link ServerSocket} that holds each stalled connection until the sender closes it.
 */
class HttpTransportStalledAnswerTest {
  private static final NodeId SELF = NodeId.of("n1");
  private static final NodeId PEER = NodeId.of("n2");
  private static final Duration TIMEOUT = Duration.ofMillis(500);
  /**
   * The timeout when every slot is to be taken: long enough to start 256 exchanges, on a loaded
   * machine, before the first of them times out.
   */
  private static final Duration FILLING_TIMEOUT = Duration.ofSeconds(3);
  /** Scheduling slack beyond the timeout for a stalled exchange to fail; far below "never". */
  private static final Duration SLACK = Duration.ofSeconds(5);
  /** The transport's in-flight limit per peer. */
  private static final int MAX_IN_FLIGHT = 256;
  private static final String ACCEPTED = "{\"term\":3,\"success\":true,\"match-index\":4}";
  private final BlockingQueue<RaftMessage> received = new LinkedBlockingQueue<>();
  private final ExecutorService peerThreads = Executors.newCachedThreadPool();
  private final ConcurrentLinkedQueue<Socket> connections = new ConcurrentLinkedQueue<>();
  /** Answers whose head went out and whose body stalled. */
  private final AtomicInteger stalled = new AtomicInteger();
  /** Stalled answers whose connection the sender closed. */
  private final AtomicInteger hungUp = new AtomicInteger();
  /** Whether the peer stalls its answers (else it answers in full). */
  private volatile boolean stalling = true;
  private ServerSocket peer;
  private HttpTransport transport;

  @AfterEach
  void stop() throws IOException {
    if (transport != null) {
      transport.close();
    }
    if (peer != null) {
      peer.close();
    }
    for (Socket s : connections) {
      s.close();
    }
    peerThreads.shutdownNow();
  }

  private void startPeer(Duration timeout) throws IOException {
    peer = new ServerSocket(0, MAX_IN_FLIGHT * 2, InetAddress.getLoopbackAddress());
    peerThreads.execute(() -> {
      while (!peer.isClosed()) {
        try {
          Socket s = peer.accept();
          connections.add(s);
          peerThreads.execute(() -> serve(s));
        } catch (IOException e) {
          // closed by the test
        }
      }
    });
    transport = new HttpTransport(SELF, new InetSocketAddress("127.0.0.1", 0),
        Map.of(PEER, "127.0.0.1:" + peer.getLocalPort()), timeout);
    transport.start(received::add);
  }

  /** Reads one request; answers it in full, or sends the head and a first piece of the body and waits for the sender to hang up. */
  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      in.readNBytes(contentLength(in));
      OutputStream out = s.getOutputStream();
      byte[] body = ACCEPTED.getBytes(StandardCharsets.UTF_8);
      String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n";
      if (!stalling) {
        out.write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        return;
      }
      out.write((head + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, 10);
      out.flush();
      stalled.incrementAndGet();
      in.transferTo(OutputStream.nullOutputStream()); // until the sender hangs up
      hungUp.incrementAndGet();
    } catch (IOException e) {
      // a reset is a hang-up too, or the test closed the socket
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

  private static AppendEntries append(long sequence) {
    return new AppendEntries(SELF, PEER, 3, 4, 3, List.of(), 0, sequence);
  }

  @Test
  void anAnswerWhoseBodyStallsFailsItsExchangeWithinTheTimeout() throws Exception {
    startPeer(TIMEOUT);
    try (StandardErrorLines log = new StandardErrorLines()) {
      transport.send(append(1));

      await("the stalled exchange is dropped").atMost(TIMEOUT.plus(SLACK)).until(() -> transport.dropped() == 1);
      await("the sender hangs up on it").atMost(SLACK).until(() -> hungUp.get() == 1);
      assertEquals(1, stalled.get());
      assertTrue(received.isEmpty(), "a stalled answer is not delivered: " + received);
      List<String> lines = log.containing("answer from n2");
      assertEquals(1, lines.size(), "one line for the stalled answer: " + lines);
      assertTrue(lines.get(0).contains("AppendEntries") && lines.get(0).contains(TIMEOUT.toMillis() + " ms"),
          "the line names the peer, the exchange and the timeout: " + lines.get(0));

      stalling = false;
      transport.send(append(2));
      assertEquals(new AppendEntriesResponse(PEER, SELF, 3, true, 4, 0, 0, 2), received.poll(10, TimeUnit.SECONDS),
          "the peer is still reached afterwards");
    }
  }

  /**
   * Every in-flight slot of a peer is taken by a stalled answer, so the next message is dropped at
   * once; once those fail, the slots are free and the peer is reached again.
   */
  @Test
  void stalledAnswersFreeTheirInFlightSlots() throws Exception {
    startPeer(FILLING_TIMEOUT);
    for (int i = 1; i <= MAX_IN_FLIGHT; i++) {
      transport.send(append(i));
    }
    await("every slot holds a stalled answer").atMost(FILLING_TIMEOUT).until(() -> stalled.get() == MAX_IN_FLIGHT);
    transport.send(append(MAX_IN_FLIGHT + 1));
    assertEquals(1, transport.dropped(), "all of the peer's slots are taken");

    await("every stalled exchange is dropped").atMost(FILLING_TIMEOUT.plus(SLACK)).until(() -> transport.dropped() == MAX_IN_FLIGHT + 1);
    stalling = false;
    transport.send(append(MAX_IN_FLIGHT + 2));

    assertEquals(new AppendEntriesResponse(PEER, SELF, 3, true, 4, 0, 0, MAX_IN_FLIGHT + 2),
        received.poll(10, TimeUnit.SECONDS), "a slot is free again");
  }
}
