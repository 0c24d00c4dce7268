package dev.pontoon.examples.httptransport;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.RaftMessage;
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
 * The sending side's request timeout and the receiving side's answer timeout, given apart: the
 * receiver's must be the shorter, so that its 503 (or the node's answer at its limit) reaches a
 * sender that still waits. Two transports on real loopback sockets.
 */
class HttpTransportTimeoutsTest {
  private static final NodeId LEADER = NodeId.of("n1");
  private static final NodeId FOLLOWER = NodeId.of("n2");
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration ANSWER_TIMEOUT = Duration.ofMillis(300);
  private HttpTransport leader;
  private HttpTransport follower;

  @AfterEach
  void stop() {
    if (leader != null) {
      leader.close();
    }
    if (follower != null) {
      follower.close();
    }
  }

  @Test
  void theReceiversAnswerTimeoutMustBeShorterThanTheSendersRequestTimeout() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpTransport.sharingPort(LEADER,
        Map.of(), Duration.ofSeconds(1), Duration.ofSeconds(1), null));

    assertTrue(e.getMessage().contains("answerTimeout (1000 ms) must be shorter than requestTimeout (1000 ms)"),
        e.getMessage());
  }

  /**
   * A timeout under a millisecond is refused when the transport is built, naming the parameter
   * and its value: it leaves the node no time to answer, so every request would be answered 503
   * at once, and the mistake would show only in the peers' logs.
   */
  @Test
  void anAnswerTimeoutUnderOneMillisecondIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpTransport.sharingPort(LEADER,
        Map.of(), Duration.ofSeconds(1), Duration.ofNanos(500_000), null));

    assertEquals("answerTimeout (0.5 ms) must be at least 1 ms", e.getMessage());
  }

  /** As for the answer timeout, with the one timeout that serves both sides. */
  @Test
  void aRequestTimeoutUnderOneMillisecondIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HttpTransport(LEADER,
        new InetSocketAddress("127.0.0.1", 0), Map.of(), Duration.ofNanos(999_999)));

    assertEquals("requestTimeout (0.999999 ms) must be at least 1 ms", e.getMessage());
  }

  /**
   * With both timeouts given, a request timeout under 1 ms is named as such, not as the timeout
   * the (valid) answer timeout fails to be shorter than.
   */
  @Test
  void aRequestTimeoutUnderOneMillisecondIsNamedWhenAnAnswerTimeoutIsGivenToo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HttpTransport.sharingPort(LEADER,
        Map.of(), Duration.ofNanos(500_000), Duration.ofMillis(1), null));

    assertEquals("requestTimeout (0.5 ms) must be at least 1 ms", e.getMessage());
  }

  /** Zero and negative timeouts are refused with the same message, naming the value. */
  @Test
  void aTimeoutOfZeroOrLessIsRefused() {
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> HttpTransport.sharingPort(LEADER,
        Map.of(), Duration.ZERO, null));
    IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
        () -> HttpTransport.sharingPort(LEADER, Map.of(), Duration.ofSeconds(1), Duration.ofMillis(-3), null));

    assertEquals("requestTimeout (0 ms) must be at least 1 ms", zero.getMessage());
    assertEquals("answerTimeout (-3 ms) must be at least 1 ms", negative.getMessage());
  }

  /**
   * A follower's node that does not answer in time: its transport's 503 comes after the answer
   * timeout and reaches the leader long before the leader's own request timeout, which drops that
   * message.
   */
  @Test
  void theReceivers503ReachesTheSenderBeforeItGivesUp() throws Exception {
    BlockingQueue<RaftMessage> received = new LinkedBlockingQueue<>();
    follower = new HttpTransport(FOLLOWER, new InetSocketAddress("127.0.0.1", 0), Map.of(LEADER, "127.0.0.1:1"),
        REQUEST_TIMEOUT, ANSWER_TIMEOUT, null);
    follower.start(received::add); // the node never answers
    leader = new HttpTransport(LEADER, new InetSocketAddress("127.0.0.1", 0),
        Map.of(FOLLOWER, "127.0.0.1:" + follower.localAddress().getPort()), REQUEST_TIMEOUT, ANSWER_TIMEOUT, null);
    leader.start(message -> { });
    AppendEntries heartbeat = new AppendEntries(LEADER, FOLLOWER, 1, 0, 0, List.of(), 0, 1);

    leader.send(heartbeat);

    assertEquals(heartbeat, received.poll(10, TimeUnit.SECONDS));
    await("the follower's 503 drops the message").atMost(REQUEST_TIMEOUT.minus(ANSWER_TIMEOUT).dividedBy(2))
        .until(() -> leader.dropped() == 1);
  }
}
