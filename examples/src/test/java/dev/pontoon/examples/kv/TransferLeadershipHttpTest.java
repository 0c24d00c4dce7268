package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.HttpExchange.header;
import static dev.pontoon.examples.kv.HttpExchange.request;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /admin/transfer-leadership/{id}} on one node, against {@link FakeRaftNode}: 200 with
 * the new leader and the configuration once the target leads, 307 on a follower, 404 for an
 * unknown id, a JSON error otherwise. On a real cluster it is driven from the page in
 * {@code ClusterPageBrowserTest}.
 */
class TransferLeadershipHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeRaftNode node = new FakeRaftNode();
  private final HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults());

  private String transfer(String id) {
    return http.send(request("POST", "/admin/transfer-leadership/" + id, ""));
  }

  @Test
  void onTheLeaderItAnswers200WithTheNewLeaderAndTheConfigurationOnceTheTargetLeads() throws Exception {
    node.transfer = new CompletableFuture<>();
    assertEquals("", transfer("n2"), "no answer while the transfer runs");
    assertEquals(NodeId.of("n2"), node.transferTarget);
    node.transfer.complete(null);
    http.channel.runPendingTasks();
    String answer = http.drain();
    assertEquals(200, status(answer));
    JsonNode body = JSON.readTree(body(answer));
    assertEquals("n2", body.get("leader").asText());
    assertEquals(1, body.get("term").asLong());
    assertEquals("[{\"id\":\"n1\",\"role\":\"voter\"},{\"id\":\"n2\",\"role\":\"voter\"},{\"id\":\"n3\",\"role\":\"voter\"}]",
        body.get("members").toString());
  }

  @Test
  void onAFollowerItRedirectsWith307ToTheLeader() {
    node.role = Role.FOLLOWER;
    node.leader = NodeId.of("n3");
    String answer = transfer("n2");
    assertEquals(307, status(answer));
    assertEquals("http://127.0.0.1:8083/admin/transfer-leadership/n2", header(answer, "Location"));
    assertNull(node.transferTarget, "a follower does not start a transfer");
  }

  @Test
  void anUnknownMemberIs404AndABadIdIs400() throws Exception {
    String answer = transfer("n9");
    assertEquals(404, status(answer));
    assertTrue(JSON.readTree(body(answer)).get("error").asText().contains("no member n9"), answer);
    assertEquals(400, status(transfer("%20")));
    assertNull(node.transferTarget);
  }

  @Test
  void aTargetThatCannotLeadIs409AndATransferThatDidNotCompleteIs504() throws Exception {
    node.transfer = CompletableFuture.failedFuture(new IllegalArgumentException("n3 is not a voter"));
    String refused = transfer("n3");
    assertEquals(409, status(refused));
    assertEquals("n3 is not a voter", JSON.readTree(body(refused)).get("error").asText());
    node.transfer = CompletableFuture.failedFuture(new IndeterminateStateException("transfer did not complete"));
    assertEquals(504, status(transfer("n2")));
  }

  @Test
  void onlyPostIsAllowed() {
    String answer = http.send(request("GET", "/admin/transfer-leadership/n2", ""));
    assertEquals(405, status(answer));
    assertEquals("POST", header(answer, "Allow"));
  }
}
