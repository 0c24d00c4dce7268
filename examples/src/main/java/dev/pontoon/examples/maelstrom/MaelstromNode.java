package dev.pontoon.examples.maelstrom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a Maelstrom test (https://github.com/jepsen-io/maelstrom): takes one JSON message
 * per line and writes its messages, one per line, to {@code out}. It answers {@code init}, the
 * {@code lin-kv} workload ({@code read}, {@code write}, {@code cas}) and {@code raft_append}
 * (append one entry to the leader's log and answer the index at once), and exchanges Raft
 * messages with its peers as Maelstrom messages without {@code msg_id}.
 *
 * <p>Every bad line is answered with a Maelstrom error when it names a sender and a
 * {@code msg_id} (code 12, malformed request; 10, not supported), and is otherwise logged and
 * ignored: no line can stop the node.
 *
 * <p><b>Threading.</b> Not thread-safe: one thread calls {@link #handle} and {@link #tick}.
 */
public final class MaelstromNode {
  private static final Logger log = LoggerFactory.getLogger(MaelstromNode.class);
  static final ObjectMapper JSON = new ObjectMapper();

  private final Consumer<String> out;
  private final RaftConfig raftConfig;
  private final long seed;
  private NodeId self;
  private List<NodeId> members = List.of();
  private RaftDriver raft;
  private LinKv kv;
  private long nextMsgId;

  /**
   * @param out receives each line to write (without the line break)
   * @param raftConfig timing of the Raft core, in ticks
   * @param seed seeds the core's election timeouts
   */
  public MaelstromNode(Consumer<String> out, RaftConfig raftConfig, long seed) {
    this.out = out;
    this.raftConfig = raftConfig;
    this.seed = seed;
  }

  /** One tick of the Raft clock. */
  public void tick() {
    if (raft != null) {
      raft.tick();
    }
  }

  /** Handles one input line. */
  public void handle(String line) {
    JsonNode message;
    try {
      message = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      log.warn("ignored a line that is not JSON: {}", e.getOriginalMessage());
      return;
    }
    if (message == null || !message.isObject() || !message.path("src").isTextual() || !message.path("body").isObject()) {
      log.warn("ignored a line without src and body: {}", abbreviate(line));
      return;
    }
    try {
      dispatch(message.get("src").asText(), message.path("dest").asText(""), message.get("body"));
    } catch (IllegalArgumentException e) {
      replyError(message.get("src").asText(), message.get("body"), 12, e.getMessage());
    }
  }

  private void dispatch(String src, String dest, JsonNode body) {
    String type = body.path("type").asText("");
    if (body.has("in_reply_to")) {
      // A reply (an error, say) is never answered: two nodes could otherwise answer each other forever.
      log.warn("ignored a reply of type '{}' from {}", type, src);
    } else if (type.equals("init")) {
      init(src, body);
    } else if (raft == null) {
      replyError(src, body, 11, "not initialised yet");
    } else if (RaftBodies.isRaftType(type)) {
      if (!dest.equals(self.value())) {
        throw new IllegalArgumentException("Raft message for " + dest + " delivered to " + self);
      }
      NodeId from = new NodeId(src);
      if (!members.contains(from)) {
        log.warn("ignored a Raft message from {}, which is not a member", src);
        return;
      }
      raft.step(RaftBodies.decode(from, self, body));
    } else {
      switch (type) {
        case "read", "write", "cas", "raft_append" -> kv.handle(src, type, body);
        default -> replyError(src, body, 10, "unsupported message type '" + type + "'");
      }
    }
  }

  private void init(String src, JsonNode body) {
    if (raft != null) {
      replyError(src, body, 14, "already initialised as " + self);
      return;
    }
    NodeId id = new NodeId(requireText(body, "node_id"));
    JsonNode ids = body.get("node_ids");
    if (ids == null || !ids.isArray() || ids.isEmpty()) {
      throw new IllegalArgumentException("\"node_ids\" must be a non-empty array");
    }
    List<NodeId> members = new ArrayList<>();
    for (JsonNode n : ids) {
      if (!n.isTextual()) {
        throw new IllegalArgumentException("\"node_ids\" must hold node id strings");
      }
      members.add(new NodeId(n.asText()));
    }
    if (!members.contains(id)) {
      throw new IllegalArgumentException("node_id " + id + " is not in node_ids " + members);
    }
    // init_ok must be the first line this node prints: the core starts sending only after it.
    reply(src, body, JSON.createObjectNode().put("type", "init_ok"));
    self = id;
    this.members = List.copyOf(members);
    kv = new LinKv(this);
    raft = new RaftDriver(id, members, raftConfig, seed, this::sendRaft);
    log.info("{} initialised; members {}; leader of term 1: {}", id, members, members.get(0));
  }

  RaftDriver raft() {
    return raft;
  }

  private void sendRaft(RaftMessage message) {
    ObjectNode envelope = JSON.createObjectNode().put("src", self.value()).put("dest", message.to().value());
    envelope.set("body", RaftBodies.encode(JSON, message));
    out.accept(envelope.toString());
  }

  /** Replies to {@code request} with {@code fields} (its "type" first), numbering the reply. */
  void reply(String dest, JsonNode request, ObjectNode fields) {
    ObjectNode body = JSON.createObjectNode();
    body.set("type", fields.get("type"));
    body.set("in_reply_to", request.get("msg_id"));
    body.put("msg_id", nextMsgId++);
    fields.fields().forEachRemaining(f -> {
      if (!f.getKey().equals("type")) {
        body.set(f.getKey(), f.getValue());
      }
    });
    String src = self != null ? self.value() : request.path("node_id").asText("?");
    ObjectNode envelope = JSON.createObjectNode().put("src", src).put("dest", dest);
    envelope.set("body", body);
    out.accept(envelope.toString());
  }

  /** A Maelstrom error reply; a request without msg_id expects no reply, so it gets none. */
  void replyError(String dest, JsonNode request, int code, String text) {
    if (request == null || !request.hasNonNull("msg_id")) {
      log.warn("ignored a bad message from {} without msg_id: {}", dest, text);
      return;
    }
    reply(dest, request, JSON.createObjectNode().put("type", "error").put("code", code).put("text", String.valueOf(text)));
  }

  static String requireText(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("\"" + field + "\" must be a string");
    }
    return v.asText();
  }

  private static String abbreviate(String line) {
    return line.length() <= 200 ? line : line.substring(0, 200) + "…";
  }
}
