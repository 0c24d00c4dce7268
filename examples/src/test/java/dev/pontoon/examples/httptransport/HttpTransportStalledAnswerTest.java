package dev.pontoon.examples.httptransport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RaftMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sending side's request timeout covers the whole exchange, the answer's body included: a peer
 * that sends an answer's head and then stalls its body fails that exchange once the timeout has
 * passed (the message is dropped and counted, a warning names the peer, the sender hangs up), and
 * the exchange's in-flight slot is free again. On real loopback sockets, against a {@link
 * StalledBodyServer}, which holds each stalled connection until the sender closes it.
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
  private StalledBodyServer peer;
  private HttpTransport transport;

  @AfterEach
  void stop() throws IOException {
    if (transport != null) {
      transport.close();
    }
    if (peer != null) {
      peer.close();
    }
  }

  private void startPeer(Duration timeout) throws IOException {
    peer = new StalledBodyServer();
    transport = new HttpTransport(SELF, new InetSocketAddress("127.0.0.1", 0), Map.of(PEER, peer.hostPort()), timeout);
    transport.start(received::add);
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
      await("the sender hangs up on it").atMost(SLACK).until(() -> peer.hungUp() == 1);
      assertEquals(1, peer.stalled());
      assertTrue(received.isEmpty(), "a stalled answer is not delivered: " + received);
      List<String> lines = log.containing("answer from n2");
      assertEquals(1, lines.size(), "one line for the stalled answer: " + lines);
      assertTrue(lines.get(0).contains("AppendEntries") && lines.get(0).contains(TIMEOUT.toMillis() + " ms"),
          "the line names the peer, the exchange and the timeout: " + lines.get(0));

      peer.answerInFull(ACCEPTED);
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
    await("every slot holds a stalled answer").atMost(FILLING_TIMEOUT).until(() -> peer.stalled() == MAX_IN_FLIGHT);
    transport.send(append(MAX_IN_FLIGHT + 1));
    assertEquals(1, transport.dropped(), "all of the peer's slots are taken");

    await("every stalled exchange is dropped").atMost(FILLING_TIMEOUT.plus(SLACK)).until(() -> transport.dropped() == MAX_IN_FLIGHT + 1);
    peer.answerInFull(ACCEPTED);
    transport.send(append(MAX_IN_FLIGHT + 2));

    assertEquals(new AppendEntriesResponse(PEER, SELF, 3, true, 4, 0, 0, MAX_IN_FLIGHT + 2),
        received.poll(10, TimeUnit.SECONDS), "a slot is free again");
  }
}
