package dev.pontoon.examples.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The KV node's HTTP Raft transport timeouts. The sending side's clock starts before it connects
 * and sends the request; the receiving side's only once the whole request has arrived. So the
 * sender must wait longer than the receiver may take, by a margin for carrying the request and the
 * answer: otherwise an answer the node gives at the receiver's limit, or the receiver's 503, reaches
 * a sender that has already given up and hung up.
 */
class KvNodeRaftTimeoutsTest {
  /** Room for an append's request and answer to cross the network and be scheduled. */
  private static final Duration MARGIN = Duration.ofMillis(250);

  @Test
  void theSenderWaitsLongerThanTheReceiverMayTakeByAMargin() {
    Duration margin = KvNode.RAFT_REQUEST_TIMEOUT.minus(KvNode.RAFT_ANSWER_TIMEOUT);

    assertTrue(margin.compareTo(MARGIN) >= 0, "the sender waits " + KvNode.RAFT_REQUEST_TIMEOUT.toMillis()
        + " ms, the receiver may take " + KvNode.RAFT_ANSWER_TIMEOUT.toMillis() + " ms: a margin of "
        + margin.toMillis() + " ms, under " + MARGIN.toMillis() + " ms");
  }
}
