package dev.pontoon.examples.httptransport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sending side reads a peer's answer only up to the transport's body limit ({@link
 * HttpTransport#MAX_REQUEST_BYTES}, the limit the receiving side puts on requests), so that a
 * misbehaving or hostile peer cannot make it hold an answer of any size. On real loopback sockets,
 * against a peer that streams its oversize answer (it never holds it either).
 */
class HttpTransportAnswerLimitTest {
  private static final NodeId SELF = NodeId.of("n1");
  private static final NodeId PEER = NodeId.of("n2");
  private final BlockingQueue<RaftMessage> received = new LinkedBlockingQueue<>();
  private final ExecutorService peerThreads = Executors.newCachedThreadPool();
  /** Holds the peer's announced-but-never-sent answers open until the test ends. */
  private final CountDownLatch testDone = new CountDownLatch(1);
  private HttpServer peer;
  private HttpTransport transport;

  @AfterEach
  void stop() {
    testDone.countDown();
    if (transport != null) {
      transport.close();
    }
    if (peer != null) {
      peer.stop(0);
    }
    peerThreads.shutdownNow();
  }

  /**
   * A peer that answers appends as the contract says, and votes with a well-formed answer padded
   * past the body limit (a well-formed JSON object), sent chunked (no {@code Content-Length} to refuse it by).
   */
  private void startPeer() throws IOException {
    peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    peer.setExecutor(peerThreads);
    peer.createContext("/raft/append-entries", exchange -> answer(exchange, "{\"term\":3,\"success\":true,\"match-index\":4}"));
    peer.createContext("/raft/request-vote", HttpTransportAnswerLimitTest::answerPastTheLimit);
    peer.createContext("/raft/install-snapshot", this::announceAnswerOverTheLimit);
    peer.start();
    transport = new HttpTransport(SELF, new InetSocketAddress("127.0.0.1", 0),
        Map.of(PEER, "127.0.0.1:" + peer.getAddress().getPort()), Duration.ofSeconds(10));
    transport.start(received::add);
  }

  private static void answer(HttpExchange exchange, String json) throws IOException {
    exchange.getRequestBody().readAllBytes();
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private static void answerPastTheLimit(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    exchange.sendResponseHeaders(200, 0);
    // Many short strings, each well within any parser's own limits: only the total is too large.
    byte[] padding = "\"padding\",".repeat(6553).getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write("{\"term\":3,\"vote-granted\":true,\"padding\":[".getBytes(StandardCharsets.UTF_8));
      for (long sent = 0; sent <= HttpTransport.MAX_REQUEST_BYTES; sent += padding.length) {
        out.write(padding);
      }
      out.write("\"end\"]}".getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The transport hung up before the end: what a bounded reader does.
    } finally {
      exchange.close();
    }
  }

  private void announceAnswerOverTheLimit(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    exchange.sendResponseHeaders(200, HttpTransport.MAX_REQUEST_BYTES + 1L);
    exchange.getResponseBody().flush();
    try {
      testDone.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  private static AppendEntries append(long sequence) {
    return new AppendEntries(SELF, PEER, 3, 4, 3, List.of(), 0, sequence);
  }

  @Test
  void answerOverTheBodyLimitFailsOnlyItsOwnExchange() throws Exception {
    startPeer();
    try (StandardErrorLines log = new StandardErrorLines()) {
      transport.send(new RequestVote(SELF, PEER, 3, 4, 3, false, false));
      transport.send(append(1));

      AppendEntriesResponse accepted = new AppendEntriesResponse(PEER, SELF, 3, true, 4, 0, 0, 1);
      await().atMost(Duration.ofSeconds(60)).until(() -> received.contains(accepted)
          && (transport.dropped() > 0 || received.stream().anyMatch(RequestVoteResponse.class::isInstance)));
      assertFalse(received.stream().anyMatch(RequestVoteResponse.class::isInstance),
          "an answer over the body limit is not delivered");
      assertEquals(1, transport.dropped(), "only the oversize exchange failed");
      List<String> lines = log.containing("answer from n2");
      assertEquals(1, lines.size(), "one line for the oversize answer: " + lines);
      assertTrue(lines.get(0).contains("RequestVote") && lines.get(0).contains(HttpTransport.MAX_REQUEST_BYTES + " bytes"),
          "the line names the peer, the exchange and the limit: " + lines.get(0));

      received.clear();
      transport.send(append(2));
      assertEquals(new AppendEntriesResponse(PEER, SELF, 3, true, 4, 0, 0, 2), received.poll(10, TimeUnit.SECONDS),
          "the peer is still reached afterwards");
    }
  }

  @Test
  void answerAnnouncedOverTheBodyLimitIsRefusedBeforeAnyOfItIsRead() throws Exception {
    startPeer();
    try (StandardErrorLines log = new StandardErrorLines()) {
      transport.send(new InstallSnapshot(SELF, PEER, 3, 10, 2, ClusterConfig.ofVoters("n1", "n2"), 0, Bytes.EMPTY, true));

      // The peer sends the head only and never the body: only a refusal on the head ends the exchange.
      await().atMost(Duration.ofSeconds(10)).until(() -> transport.dropped() == 1);
      List<String> lines = log.containing("answer from n2");
      assertEquals(1, lines.size(), "one line for the oversize answer: " + lines);
      assertTrue(lines.get(0).contains("InstallSnapshot") && lines.get(0).contains("Content-Length is "
          + (HttpTransport.MAX_REQUEST_BYTES + 1L)), lines.get(0));
      assertTrue(received.isEmpty());
    }
  }
}
