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
 * machine. Keys and values are any JSON values, stored as their compact JSON text. Errors are
 * Maelstrom's codes: 11 temporarily unavailable (not the leader, or the entry was lost: certainly
 * not applied), 12 malformed request, 20 key does not exist, 22 precondition failed.
 */
final class LinKv {
  private final MaelstromNode node;

  LinKv(MaelstromNode node) {
    this.node = node;
  }

  void handle(String client, String type, JsonNode body) {
    try {
      switch (type) {
        case "read" -> read(client, body);
        case "write" -> write(client, body, new KvCommand.Put(field(body, "key"), field(body, "value")), "write_ok");
        case "cas" -> write(client, body, new KvCommand.CompareAndSet(field(body, "key"), field(body, "from"),
            field(body, "to")), "cas_ok");
        default -> append(client, body);
      }
    } catch (NotLeaderException e) {
      node.replyError(client, body, 11, "not the leader; try " + e.leaderHint().map(Object::toString).orElse("another node"));
    }
  }

  private void read(String client, JsonNode body) {
    node.raft().read(KvCodec.encodeGet(field(body, "key")), new RaftDriver.Completion() {
      @Override
      public void completed(Bytes result) {
        KvResult decoded = KvCodec.decodeResult(result);
        if (decoded instanceof KvResult.Value value) {
          node.reply(client, body, MaelstromNode.JSON.createObjectNode().put("type", "read_ok")
              .set("value", parse(value.value())));
        } else {
          node.replyError(client, body, 20, "key does not exist");
        }
      }

      @Override
      public void failed(String reason) {
        node.replyError(client, body, 11, reason);
      }
    });
  }

  private void write(String client, JsonNode body, KvCommand command, String okType) {
    node.raft().propose(KvCodec.encode(command), new RaftDriver.Completion() {
      @Override
      public void completed(Bytes result) {
        KvResult decoded = KvCodec.decodeResult(result);
        if (decoded instanceof KvResult.Applied) {
          node.reply(client, body, MaelstromNode.JSON.createObjectNode().put("type", okType));
        } else if (decoded instanceof KvResult.Mismatch mismatch) {
          node.replyError(client, body, 22, "expected " + body.get("from") + " but found " + mismatch.current().toUtf8());
        } else if (decoded instanceof KvResult.NotFound) {
          node.replyError(client, body, 20, "key does not exist");
        } else {
          node.replyError(client, body, 12, decoded.toString());
        }
      }

      @Override
      public void failed(String reason) {
        node.replyError(client, body, 11, reason);
      }
    });
  }

  /**
   * {@code raft_append}: appends {@code entry.command} ({@code {"op":"put"|"delete"|"cas", …}}) to
   * the leader's log, in the leader's own term (the entry's {@code term} is informational: a
   * leader only ever appends entries of its current term, §5.3), and answers with the index at
   * once, before commit.
   */
  private void append(String client, JsonNode body) {
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
    node.reply(client, body, MaelstromNode.JSON.createObjectNode().put("type", "raft_append_ok").put("index", index));
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
