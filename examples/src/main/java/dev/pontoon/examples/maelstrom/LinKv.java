package dev.pontoon.examples.maelstrom;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pontoon.examples.kv.KvCodec;
import dev.pontoon.examples.kv.KvCommand;
import dev.pontoon.examples.kv.KvCommandText;
import dev.pontoon.examples.kv.KvResult;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.log.Bytes;

/**
 * Maelstrom's {@code lin-kv} workload and the {@code raft_append} request, on the KV state
 * machine. Keys and values are any JSON values, stored as their compact JSON text. A follower
 * forwards reads and writes to the leader it knows (see {@link MaelstromNode}). Errors are
 * Maelstrom's codes:
 * <ul>
 *   <li>10 not supported: a message type the node does not know ({@link MaelstromNode});
 *   <li>11 temporarily unavailable: not the leader, not initialised yet, or the entry was lost
 *       (certainly not applied);
 *   <li>12 malformed request: a missing or mistyped field, or a command that does not parse;
 *   <li>13 crash: the leader a request was forwarded to answered something unreadable, so the
 *       request may or may not have taken effect (indefinite);
 *   <li>14 abort: a second {@code init};
 *   <li>20 key does not exist; 22 precondition failed (a {@code cas} found another value).
 * </ul>
 */
final class LinKv {
  /** Reads one whole JSON value; trailing text ({@code 1abc}) is an error, so such a word stays a string. */
  private static final ObjectReader WORD = MaelstromNode.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
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
   * {@code raft_append}: appends {@code entry.command} to the leader's log, in the leader's own
   * term (the entry's {@code term} is informational: a leader only ever appends entries of its
   * current term, §5.3), and answers with the index at once, before commit. The command is an
   * object {@code {"op":"put"|"delete"|"cas", "key", "value" | "from", "to"}} or, like the other
   * examples, a plain string in the KV text form ({@link KvCommandText}: {@code PUT x 1},
   * {@code DELETE x}, {@code CAS x 1 2}, {@code CREATE x 1}), where each word is read as a JSON
   * value when it is one ({@code 1}, {@code true}, {@code "x"}) and as a JSON string otherwise
   * ({@code x}): {@code PUT x 1} is {@code {"op":"put","key":"x","value":1}}.
   */
  private void append(JsonNode body, Responder responder) {
    JsonNode entry = body.get("entry");
    JsonNode command = entry == null ? null : entry.get("command");
    if (command == null || !(command.isObject() || command.isTextual())) {
      throw new IllegalArgumentException("\"entry\" must be an object with a \"command\" object or string");
    }
    KvCommand decoded = command.isTextual() ? jsonWords(KvCommandText.parse(command.asText()))
        : switch (command.path("op").asText("")) {
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

  /** A text command's words as this store keeps keys and values: compact JSON text. */
  private static KvCommand jsonWords(KvCommand command) {
    if (command instanceof KvCommand.Put put) {
      return new KvCommand.Put(jsonWord(put.key()), jsonWord(put.value()));
    } else if (command instanceof KvCommand.Delete delete) {
      return new KvCommand.Delete(jsonWord(delete.key()));
    }
    KvCommand.CompareAndSet cas = (KvCommand.CompareAndSet) command;
    return new KvCommand.CompareAndSet(jsonWord(cas.key()), cas.from() == null ? null : jsonWord(cas.from()),
        jsonWord(cas.to()));
  }

  private static Bytes jsonWord(Bytes word) {
    String text = word.toUtf8();
    JsonNode value;
    try {
      value = WORD.readTree(text);
    } catch (JsonProcessingException e) {
      value = null;
    }
    return Bytes.ofUtf8((value == null || value.isMissingNode() ? TextNode.valueOf(text) : value).toString());
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
