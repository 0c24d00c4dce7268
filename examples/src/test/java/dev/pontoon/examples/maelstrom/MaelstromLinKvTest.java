package dev.pontoon.examples.maelstrom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The lin-kv workload across three nodes, with Maelstrom's network simulated by {@link MaelstromRouter}. */
class MaelstromLinKvTest {
  private final MaelstromRouter net = new MaelstromRouter("n1", "n2", "n3");

  private JsonNode call(String node, String fields) {
    return net.awaitReply(net.request("c9", node, fields), 200);
  }

  @Test
  void writeReadAndCasOnTheLeaderWithMaelstromErrorCodes() {
    assertEquals("write_ok", call("n1", "\"type\":\"write\",\"key\":1,\"value\":10").get("type").asText());
    JsonNode read = call("n1", "\"type\":\"read\",\"key\":1");
    assertEquals("read_ok", read.get("type").asText());
    assertEquals(10, read.get("value").asInt());
    assertEquals("cas_ok", call("n1", "\"type\":\"cas\",\"key\":1,\"from\":10,\"to\":11").get("type").asText());
    assertEquals(22, call("n1", "\"type\":\"cas\",\"key\":1,\"from\":10,\"to\":12").get("code").asInt());
    assertEquals(20, call("n1", "\"type\":\"read\",\"key\":2").get("code").asInt());
    assertEquals(20, call("n1", "\"type\":\"cas\",\"key\":2,\"from\":1,\"to\":2").get("code").asInt());
  }

  @Test
  void aFollowerForwardsReadsAndWritesToTheLeaderAndAnswersTheClientItself() {
    assertEquals("write_ok", call("n2", "\"type\":\"write\",\"key\":5,\"value\":50").get("type").asText());
    JsonNode read = call("n3", "\"type\":\"read\",\"key\":5");
    assertEquals(50, read.get("value").asInt());
    assertEquals(22, call("n3", "\"type\":\"cas\",\"key\":5,\"from\":1,\"to\":2").get("code").asInt());
    JsonNode reply = net.toClients.get(net.toClients.size() - 1);
    assertEquals("n3", reply.get("src").asText(), "the node the client asked answers it");
    assertEquals(12, call("n2", "\"type\":\"write\",\"value\":1").get("code").asInt(), "key missing");
  }

  @Test
  void afterTheLeaderIsCutOffANewLeaderServesTheCommittedWrites() {
    assertEquals("write_ok", call("n1", "\"type\":\"write\",\"key\":\"k\",\"value\":\"before\"").get("type").asText());
    net.isolated.add("n1");
    net.tickUntil(r -> !"n1".equals(String.valueOf(r.nodes.get("n2").raft().leader()))
        && r.nodes.get("n2").raft().leader() != null, 500);
    String leader = net.nodes.get("n2").raft().leader().value();
    JsonNode read = call(leader, "\"type\":\"read\",\"key\":\"k\"");
    assertEquals("before", read.get("value").asText());
    assertEquals("cas_ok", call(leader, "\"type\":\"cas\",\"key\":\"k\",\"from\":\"before\",\"to\":\"after\"").get("type").asText());
  }

  /** Index 1 holds the bootstrap entry (the configuration) in every log, so commands start at index 2. */
  @Test
  void raftAppendAnswersTheIndexAtOnceAndTheEntryIsAppliedEverywhere() {
    int first = net.request("c1", "n1", "\"type\":\"raft_append\",\"entry\":{\"term\":1,\"command\":{\"op\":\"put\",\"key\":\"x\",\"value\":1}}");
    assertEquals(2, net.awaitReply(first, 0).get("index").asInt());
    int second = net.request("c1", "n1", "\"type\":\"raft_append\",\"entry\":{\"term\":1,\"command\":{\"op\":\"put\",\"key\":\"x\",\"value\":2}}");
    assertEquals(3, net.awaitReply(second, 0).get("index").asInt());
    assertEquals(2, call("n1", "\"type\":\"read\",\"key\":\"x\"").get("value").asInt());
    assertEquals(11, call("n3", "\"type\":\"raft_append\",\"entry\":{\"term\":1,\"command\":{\"op\":\"put\",\"key\":\"x\",\"value\":3}}")
        .get("code").asInt());
  }

  /**
   * {@code raft_append} takes the command as a plain string too, in the text form the other
   * examples use ({@code PUT x 1}); each word is read as JSON when it is JSON ({@code 1}), else as
   * a JSON string ({@code x}), so it names the same key and value as the object form.
   */
  @Test
  void raftAppendAcceptsAPlainStringCommandLikeTheOtherExamples() {
    assertEquals(2, appendText("PUT x 1").get("index").asInt());
    assertEquals(1, call("n1", "\"type\":\"read\",\"key\":\"x\"").get("value").asInt());
    assertEquals(3, appendText("PUT greeting hello%20world").get("index").asInt());
    assertEquals("hello world", call("n2", "\"type\":\"read\",\"key\":\"greeting\"").get("value").asText());
    assertEquals(4, appendText("CAS x 1 2").get("index").asInt());
    assertEquals(5, appendText("DELETE greeting").get("index").asInt());
    assertEquals(2, call("n1", "\"type\":\"read\",\"key\":\"x\"").get("value").asInt());
    assertEquals(20, call("n1", "\"type\":\"read\",\"key\":\"greeting\"").get("code").asInt());

    JsonNode bad = net.awaitReply(net.request("c1", "n1", "\"type\":\"raft_append\",\"entry\":{\"term\":1,\"command\":\"PUT x\"}"), 0);
    assertEquals(12, bad.get("code").asInt(), bad.toString());
    assertEquals("PUT takes 2 words separated by one space (PUT <key> <value>), not 1: 'PUT x'", bad.get("text").asText());
  }

  private JsonNode appendText(String command) {
    JsonNode reply = net.awaitReply(net.request("c1", "n1", "\"type\":\"raft_append\",\"entry\":{\"term\":1,"
        + "\"command\":\"" + command + "\"}"), 0);
    assertEquals("raft_append_ok", reply.get("type").asText(), reply.toString());
    return reply;
  }
}
