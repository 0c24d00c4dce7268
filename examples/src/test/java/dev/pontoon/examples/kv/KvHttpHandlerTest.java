package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpExchange.body;
import static dev.pontoon.examples.kv.HttpExchange.header;
import static dev.pontoon.examples.kv.HttpExchange.request;
import static dev.pontoon.examples.kv.HttpExchange.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The HTTP API's contract on one node, against {@link FakeRaftNode}; the cluster test repeats it for real. */
class KvHttpHandlerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FakeRaftNode node = new FakeRaftNode();
  private final HttpExchange http = new HttpExchange(node, KvHttpConfig.defaults().withMaxValueBytes(16).withMaxKeyBytes(8));

  private static JsonNode json(String response) throws Exception {
    return JSON.readTree(body(response));
  }

  @Test
  void putAnswers200WithTheIndexOnceAppliedAndGetReturnsTheValue() throws Exception {
    String put = http.send(request("PUT", "/kv/foo", "bar"));
    assertEquals(200, status(put));
    assertEquals(1, json(put).get("index").asLong());
    String get = http.send(request("GET", "/kv/foo", ""));
    assertEquals(200, status(get));
    assertEquals("bar", json(get).get("value").asText());
  }

  @Test
  void getOfMissingKeyIs404() throws Exception {
    String get = http.send(request("GET", "/kv/nope", ""));
    assertEquals(404, status(get));
    assertEquals("key not found", json(get).get("error").asText());
  }

  @Test
  void deleteAnswers200AndTheKeyIsGone() {
    http.send(request("PUT", "/kv/foo", "bar"));
    assertEquals(200, status(http.send(request("DELETE", "/kv/foo", ""))));
    assertEquals(404, status(http.send(request("GET", "/kv/foo", ""))));
  }

  @Test
  void casAnswers200WhenTheValueMatchesAnd409WithTheCurrentValueOtherwise() throws Exception {
    http.send(request("PUT", "/kv/k", "a"));
    String mismatch = http.send(request("POST", "/kv/k/cas", "{\"from\":\"x\",\"to\":\"b\"}"));
    assertEquals(409, status(mismatch));
    assertEquals("a", json(mismatch).get("current").asText());
    assertEquals(200, status(http.send(request("POST", "/kv/k/cas", "{\"from\":\"a\",\"to\":\"b\"}"))));
    assertEquals("b", json(http.send(request("GET", "/kv/k", ""))).get("value").asText());
    assertEquals(409, status(http.send(request("POST", "/kv/missing/cas", "{\"from\":\"a\",\"to\":\"b\"}"))));
    assertEquals(200, status(http.send(request("POST", "/kv/missing/cas", "{\"from\":null,\"to\":\"b\"}"))));
  }

  @Test
  void followerRedirectsWith307ToTheLeadersHttpAddress() {
    node.role = Role.FOLLOWER;
    node.leader = NodeId.of("n2");
    String put = http.send(request("PUT", "/kv/foo?x=1", "bar"));
    assertEquals(307, status(put));
    assertEquals("http://127.0.0.1:8082/kv/foo?x=1", header(put, "Location"));
    assertEquals(307, status(http.send(request("GET", "/kv/foo", ""))));
  }

  @Test
  void nodeWithoutKnownLeaderAnswers503WithRetryAfter() {
    node.role = Role.CANDIDATE;
    node.leader = null;
    String put = http.send(request("PUT", "/kv/foo", "bar"));
    assertEquals(503, status(put));
    assertEquals("1", header(put, "Retry-After"));
  }

  @Test
  void badRequestsGet4xxWithAJsonError() throws Exception {
    String[][] cases = {
        {"400", request("POST", "/kv/k/cas", "{not json")},
        {"400", request("POST", "/kv/k/cas", "[1,2]")},
        {"400", request("POST", "/kv/k/cas", "{\"from\":{},\"to\":\"b\"}")},
        {"400", request("PUT", "/kv/", "v")},
        {"400", request("PUT", "/kv/k", "")},
        {"400", request("PUT", "/kv/123456789", "v")},
        {"400", request("PUT", "/kv/%zz", "v")},
        {"413", request("PUT", "/kv/k", "01234567890123456")},
        {"404", request("GET", "/nothing/here", "")},
        {"404", request("GET", "/kv/a/b", "")},
        {"405", request("PATCH", "/kv/k", "v")},
        {"405", request("GET", "/kv/k/cas", "")},
        {"405", request("POST", "/status", "")},
        {"400", request("GET", "/log?from=abc", "")},
    };
    for (String[] c : cases) {
      String answer = http.send(c[1]);
      assertEquals(Integer.parseInt(c[0]), status(answer), c[1]);
      assertTrue(json(answer).get("error").isTextual(), answer);
    }
    assertEquals("GET, PUT, DELETE", header(http.send(request("PATCH", "/kv/k", "v")), "Allow"));
  }

  @Test
  void malformedHttpIsAnswered400AndTheConnectionClosed() {
    String answer = http.send("GET /kv/a HTTP/1.1\r\nContent-Length: nope\r\n\r\n");
    assertEquals(400, status(answer));
    assertFalse(http.channel.isOpen());
  }

  @Test
  void statusNamesIdRoleTermLeaderIndexesAndMembersWithLag() throws Exception {
    http.send(request("PUT", "/kv/foo", "bar"));
    JsonNode status = json(http.send(request("GET", "/status", "")));
    assertEquals("n1", status.get("id").asText());
    assertEquals("leader", status.get("role").asText());
    assertEquals(1, status.get("term").asLong());
    assertEquals("n1", status.get("leader").asText());
    assertEquals(1, status.get("commit-index").asLong());
    assertEquals(1, status.get("last-applied").asLong());
    assertEquals(0, status.get("snapshot-index").asLong());
    assertEquals(3, status.get("members").size());
    assertEquals("voter", status.get("members").get(0).get("role").asText());
    assertEquals(1, status.get("members").get(2).get("lag").asLong());
    node.role = Role.PRE_CANDIDATE;
    node.leader = null;
    status = json(http.send(request("GET", "/status", "")));
    assertEquals("candidate", status.get("role").asText());
    assertTrue(status.get("leader").isNull());
  }

  @Test
  void logShowsEntriesFromTheSnapshotPointWithCommitIndexAndLastApplied() throws Exception {
    http.send(request("PUT", "/kv/foo", "bar"));
    http.send(request("DELETE", "/kv/baz", ""));
    JsonNode log = json(http.send(request("GET", "/log", "")));
    assertEquals(2, log.get("commit-index").asLong());
    assertEquals(2, log.get("last-applied").asLong());
    assertEquals("PUT foo bar", log.get("entries").get(0).get("command").asText());
    assertEquals("DELETE baz", log.get("entries").get(1).get("command").asText());
    assertEquals(1, json(http.send(request("GET", "/log?from=2", ""))).get("entries").size());
  }

  @Test
  void writeThatDoesNotCommitInTimeIsAnswered504() throws Exception {
    node.stalled = true;
    assertEquals("", http.send(request("PUT", "/kv/foo", "bar")));
    http.channel.advanceTimeBy(KvHttpConfig.defaults().requestTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
    http.channel.runScheduledPendingTasks();
    String answer = http.drain();
    assertEquals(504, status(answer));
    assertEquals("no answer within 5000 ms; the write may still take effect", json(answer).get("error").asText());
  }

  /** A read changes nothing: when it times out, the answer says so, not that a write may still happen. */
  @Test
  void readThatIsNotConfirmedInTimeIsAnswered504SayingItDidNothing() throws Exception {
    node.stalled = true;
    assertEquals("", http.send(request("GET", "/kv/foo", "")));
    http.channel.advanceTimeBy(KvHttpConfig.defaults().requestTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
    http.channel.runScheduledPendingTasks();
    String answer = http.drain();
    assertEquals(504, status(answer));
    assertEquals("no answer within 5000 ms; the read did nothing, retry it", json(answer).get("error").asText());
  }
}
