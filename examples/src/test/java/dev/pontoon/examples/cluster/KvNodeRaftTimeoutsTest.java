package dev.pontoon.examples.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.examples.httptransport.HttpTransport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /**
   * A node started on {@code --transport http} runs on a transport that waits 1.5 s for a peer's
   * answer and gives its own node 1 s, the values examples/README.md and HTTP-TRANSPORT.md give.
   * Checked on the transport the node runs on, not on the constants: a node built with the
   * one-timeout factory would answer at the sender's limit and pass the test above.
   */
  @Test
  void aNodeOnTheHttpTransportWaitsOneAndAHalfSecondsForAPeerAndGivesItsNodeOneSecond(@TempDir Path dir) {
    List<NodeSpec> members = FreePorts.sharedPortMembers();

    try (KvNode node = KvNode.start(members.get(0).id(), members, dir, "http", 0)) {
      HttpTransport transport = assertInstanceOf(HttpTransport.class, node.transport());
      assertEquals(Duration.ofMillis(1500), transport.requestTimeout(), "the sender's request timeout");
      assertEquals(Duration.ofSeconds(1), transport.answerTimeout(), "the receiver's answer timeout");
    }
  }
}
