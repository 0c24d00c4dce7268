package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.HttpExchange.header;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.OverloadedException;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Whether an answer invites the client to send its request again: only when the request certainly
 * did nothing. Over a loopback socket, against a {@link FakeRaftNode} failing as a real one does.
 */
class KvHttpRetryAdviceTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeRaftNode node = new FakeRaftNode();
  private final LoopbackHttp http = new LoopbackHttp(node, KvHttpConfig.defaults());

  @AfterEach
  void stop() {
    http.close();
  }

  /**
   * A write the node may still commit is answered 504 "outcome unknown", without Retry-After, as
   * an IndeterminateStateException is: here the node stopped with the write in flight
   * (NodeStoppedException, whose mayStillCommit() is true). A 503 with Retry-After would invite
   * the client to send it again, and a write that did commit would be applied twice.
   */
  @Test
  void aWriteThatMayStillCommitIsAnswered504WithoutInvitingARetry() throws IOException {
    node.failure = new NodeStoppedException("n1 was closed");

    for (byte[] write : List.of(http.request("PUT", "/kv/k", "v"), http.request("DELETE", "/kv/k", ""),
        http.request("POST", "/kv/k/cas", "{\"from\":null,\"to\":\"v\"}"))) {
      String answer = http.exchange(write);

      assertEquals(504, status(answer), answer);
      assertNull(header(answer, "Retry-After"), answer);
      assertTrue(JSON.readTree(body(answer)).get("error").asText().startsWith("outcome unknown: n1 was closed"), answer);
    }
  }

  /**
   * What certainly did nothing is still 503 with Retry-After: a read on a stopped node (a read
   * changes nothing) and a write refused by back-pressure (never appended).
   */
  /**
   * A write the stopped node never appended ({@code NodeStoppedException.notAppended}: submitted
   * while it stopped, say) cannot commit anywhere: sending it again is safe, so 503 with
   * Retry-After, as for back-pressure.
   */
  @Test
  void aWriteTheStoppedNodeNeverAppendedIs503WithRetryAfter() throws IOException {
    node.failure = NodeStoppedException.notAppended("n1 is stopped; the command was not appended", null);

    String write = http.exchange(http.request("PUT", "/kv/k", "v"));

    assertEquals(503, status(write), write);
    assertEquals("1", header(write, "Retry-After"), write);
  }

  @Test
  void aReadOnAStoppedNodeAndAnOverloadedWriteAre503WithRetryAfter() throws IOException {
    node.failure = new NodeStoppedException("n1 was closed");
    String read = http.exchange(http.request("GET", "/kv/k", ""));
    node.failure = new OverloadedException("too many pending proposals");
    String write = http.exchange(http.request("PUT", "/kv/k", "v"));

    assertEquals(503, status(read), read);
    assertEquals("1", header(read, "Retry-After"), read);
    assertEquals(503, status(write), write);
    assertEquals("1", header(write, "Retry-After"), write);
  }
}
