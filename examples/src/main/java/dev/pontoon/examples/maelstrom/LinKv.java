package dev.pontoon.examples.maelstrom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.examples.kv.KvCodec;
import dev.pontoon.examples.kv.KvCommand;
import dev.pontoon.examples.kv.KvResult;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.log.Bytes;

/**
 * Maelstrom's {@code lin-kv} workload and the {@code raft_append} request, on the KV state
 * machine. Keys and values are any JSON values, stored as their compact JSON text. A follower
 * forwards reads and writes to the leader it knows (see {@link MaelstromNode}). Errors are
 * Maelstrom's codes: 11 temporarily unavailable (not the leader, or the entry was lost: certainly
 * not applied), 12 malformed request, 20 key does not exist, 22 precondition failed.
 */
final class LinKv {
  private final MaelstromNode node;

  LinKv(MaelstromNode node) {
    this.node = node;
  }

  /**
   * Runs one client request. On a follower that knows the leader, a read, write or cas is
   * forwarded to it when {@code forward} is set (the leader answers through this node); a
   * {@code raft_append} never is, since it asks for the index in the receiving leader's log.
   */
  void handle(String type, JsonNode body, Responder responder, boolean forward) {
    try {
      switch (type) {
        case "read" -> read(body, responder);
        case "write" -> write(responder, new KvCommand.Put(field(body, "key"), field(body, "value")), "write_ok", body);
        case "cas" -> write(responder, new KvCommand.CompareAndSet(field(body, "key"), field(body, "from"),
            field(body, "to")), "cas_ok", body);
        default -> append(body, responder);
      }
    } catch (NotLeaderException e) {
      if (forward && !type.equals("raft_append") && e.leaderHint().isPresent()) {
        node.forward(e.leaderHint().get(), body, responder);
      } else {
        responder.error(11, "not the leader; try " + e.leaderHint().map(Object::toString).orElse("another node"));
      }
    }
  }

  private void read(JsonNode body, Responder responder) {
    node.raft().read(KvCodec.encodeGet(field(body, "key")), new RaftDriver.Completion() {
      @Override
      public void completed(Bytes result) {
        KvResult decoded = KvCodec.decodeResult(result);
        if (decoded instanceof KvResult.Value value) {
          responder.ok(MaelstromNode.JSON.createObjectNode().put("type", "read_ok").set("value", parse(value.value())));
        } else {
          responder.error(20, "key does not exist");
        }
      }

      @Override
      public void failed(String reason) {
        responder.error(11, reason);
      }
    });
  }

  private void write(Responder responder, KvCommand command, String okType, JsonNode body) {
    node.raft().propose(KvCodec.encode(command), new RaftDriver.Completion() {
      @Override
      public void completed(Bytes result) {
        KvResult decoded = KvCodec.decodeResult(result);
        if (decoded instanceof KvResult.Applied) {
          responder.ok(MaelstromNode.JSON.createObjectNode().put("type", okType));
        } else if (decoded instanceof KvResult.Mismatch mismatch) {
          responder.error(22, "expected " + body.get("from") + " but found " + mismatch.current().toUtf8());
        } else if (decoded instanceof KvResult.NotFound) {
          responder.error(20, "key does not exist");
        } else {
          responder.error(12, decoded.toString());
        }
      }

      @Override
      public void failed(String reason) {
        responder.error(11, reason);
      }
    });
  }

  /**
   * {@code raft_append}: appends {@code entry.command} ({@code {"op":"put"|"delete"|"cas", …}}) to
   * the leader's log, in the leader's own term (the entry's {@code term} is informational: a
   * leader only ever appends entries of its current term, §5.3), and answers with the index at
   * once, before commit.
   */
  private void append(JsonNode body, Responder responder) {
    JsonNode entry = body.get("entry");
    if (entry == null || !entry.isObject() || !entry.path("command").isObject()) {
      throw new IllegalArgumentException("\"entry\" must be an object with a \"command\" object");
    }
    JsonNode command = entry.get("command");
    KvCommand decoded = switch (command.path("op").asText("")) {
      case "put" -> new KvCommand.Put(field(command, "key"), field(command, "value"));
      case "delete" -> new KvCommand.Delete(field(command, "key"));
      case "cas" -> new KvCommand.CompareAndSet(field(command, "key"), field(command, "from"), field(command, "to"));
      default -> throw new IllegalArgumentException("command \"op\" must be put, delete or cas");
    };
    long index = node.raft().propose(KvCodec.encode(decoded), new RaftDriver.Completion() {
      @Override
      public void completed(Bytes result) {
        // Answered at append time; the outcome of apply is visible through reads.
      }

      @Override
      public void failed(String reason) {
        // Idem: a lost entry is simply never applied.
      }
    });
    responder.ok(MaelstromNode.JSON.createObjectNode().put("type", "raft_append_ok").put("index", index));
  }

  private static Bytes field(JsonNode body, String name) {
    JsonNode value = body.get(name);
    if (value == null) {
      throw new IllegalArgumentException("\"" + name + "\" is missing");
    }
    return Bytes.ofUtf8(value.toString());
  }

  private static JsonNode parse(Bytes stored) {
    try {
      return MaelstromNode.JSON.readTree(stored.toUtf8());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored value is not JSON", e);
    }
  }
}
