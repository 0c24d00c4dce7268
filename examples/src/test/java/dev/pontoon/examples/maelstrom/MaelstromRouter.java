package dev.pontoon.examples.maelstrom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pontoon.raft.engine.core.RaftConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Maelstrom's network in a test: routes each line a node prints to the node it names, collects
 * the lines for clients, and advances virtual time in ticks. Deterministic; one thread.
 */
final class MaelstromRouter {
  private static final ObjectMapper JSON = new ObjectMapper();
  final Map<String, MaelstromNode> nodes = new LinkedHashMap<>();
  final List<JsonNode> toClients = new ArrayList<>();
  final Set<String> isolated = new HashSet<>();
  private final Deque<String> inFlight = new ArrayDeque<>();
  private int nextClientMsgId = 1;

  MaelstromRouter(String... ids) {
    long seed = 1;
    for (String id : ids) {
      nodes.put(id, new MaelstromNode(inFlight::add, RaftConfig.defaults(), seed++));
    }
    for (String id : ids) {
      nodes.get(id).handle("{\"src\":\"c0\",\"dest\":\"" + id + "\",\"body\":{\"type\":\"init\",\"msg_id\":0,\"node_id\":\""
          + id + "\",\"node_ids\":" + JSON.valueToTree(List.of(ids)) + "}}");
    }
    deliverAll();
    toClients.clear();
  }

  /** Sends a client request from {@code client} to {@code node}; returns its msg_id. */
  int request(String client, String node, String bodyFields) {
    int msgId = nextClientMsgId++;
    nodes.get(node).handle("{\"src\":\"" + client + "\",\"dest\":\"" + node + "\",\"body\":{" + bodyFields
        + ",\"msg_id\":" + msgId + "}}");
    return msgId;
  }

  /** Delivers messages and ticks until {@code done} holds for a reply to {@code msgId}; returns that reply. */
  JsonNode awaitReply(int msgId, int maxTicks) {
    for (int tick = 0; tick <= maxTicks; tick++) {
      deliverAll();
      for (JsonNode reply : toClients) {
        if (reply.path("body").path("in_reply_to").asInt(-1) == msgId) {
          return reply.get("body");
        }
      }
      tickAll();
    }
    throw new AssertionError("no reply to msg_id " + msgId + " within " + maxTicks + " ticks");
  }

  /** Ticks until {@code condition} holds. */
  void tickUntil(Predicate<MaelstromRouter> condition, int maxTicks) {
    for (int tick = 0; tick < maxTicks && !condition.test(this); tick++) {
      tickAll();
      deliverAll();
    }
    if (!condition.test(this)) {
      throw new AssertionError("condition not reached within " + maxTicks + " ticks");
    }
  }

  void tickAll() {
    nodes.forEach((id, node) -> {
      if (!isolated.contains(id)) {
        node.tick();
      }
    });
  }

  void deliverAll() {
    int budget = 100_000;
    while (!inFlight.isEmpty() && budget-- > 0) {
      String line = inFlight.poll();
      JsonNode message;
      try {
        message = JSON.readTree(line);
      } catch (Exception e) {
        throw new AssertionError("a node printed a line that is not JSON: " + line, e);
      }
      String src = message.get("src").asText();
      String dest = message.get("dest").asText();
      if (!nodes.containsKey(dest)) {
        // Not a node of this cluster: a client, or a node id a fuzzed line made up (Raft traffic to it is lost).
        if (!message.path("body").path("type").asText().startsWith(RaftBodies.PREFIX)) {
          toClients.add(message);
        }
      } else if (!isolated.contains(src) && !isolated.contains(dest)) {
        nodes.get(dest).handle(line);
      }
    }
  }
}
