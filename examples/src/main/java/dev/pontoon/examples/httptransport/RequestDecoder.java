package dev.pontoon.examples.httptransport;

import static dev.pontoon.examples.httptransport.RaftJson.longValue;
import static dev.pontoon.examples.httptransport.RaftJson.optionalBoolean;
import static dev.pontoon.examples.httptransport.RaftJson.optionalLong;
import static dev.pontoon.examples.httptransport.RaftJson.requireLong;
import static dev.pontoon.examples.httptransport.RaftJson.requireText;
import static dev.pontoon.examples.httptransport.RaftJson.textValue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.TimeoutNow;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Decodes the body of a {@code /raft/*} request (see {@code HTTP-TRANSPORT.md}) into its message,
 * straight from the body's bytes with Jackson's streaming parser: no String copy of the body and
 * no tree of it. The sender ({@code leader-id} or {@code candidate-id}) is checked before any of
 * the body's bulk (entries, a snapshot's configuration and data) is read, wherever it stands in the
 * body; entries are built one by one into {@link LogEntry}s, and the first bad one is named by its
 * position ({@code entries[3]: "term" must be an integer}). Fields may come in any order and
 * unknown fields, of any shape, are skipped unread.
 *
 * <p>Failures: malformed JSON throws the parser's {@link com.fasterxml.jackson.core.JsonProcessingException};
 * a missing, mistyped or negative field an {@link IllegalArgumentException} that names it; a sender
 * that is not a member whatever {@code sender} throws ({@link RaftHttpHandler.UnknownSender}).
 * Stateless; any thread.
 */
final class RequestDecoder {
  /*
   * Implementation notes. A stream cannot be rewound, and the sender may come after the entries
   * (JSON objects are unordered; a peer written from the page may put "entries" first). Buffering
   * what comes before the sender (a TokenBuffer, or a tree) would cost what the tree cost. But the
   * aggregated body is in memory already, bounded by the route's limit, so the body is read twice:
   *
   *   pass 1, head: the top-level scalars this message needs, as a few small nodes; every other
   *           value, the entries array included, is skipped with skipChildren(), which tokenizes
   *           without building anything (a skipped string is never even copied out). This pass
   *           also proves the whole body is well-formed JSON.
   *   check:  the head's fields, then the sender against the members (403).
   *   pass 2, bulk: only the bulky fields (entries; config and data), built straight into the
   *           message; everything else skipped again.
   *
   * The second pass costs a second tokenization of the body (CPU, no heap). A message without
   * bulk (RequestVote, TimeoutNow) takes one pass. Duplicate fields: the last one counts, as it
   * did with a tree.
   */

  /** Where a body's tokens come from; opened once per pass. */
  @FunctionalInterface
  interface Source {
    JsonParser open() throws IOException;

    /** The readable bytes of {@code body}, read in place (its indexes are left as they are). */
    static Source of(ByteBuf body) {
      return () -> RaftJson.JSON.getFactory().createParser((InputStream) new ByteBufInputStream(body.duplicate()));
    }
  }

  @FunctionalInterface
  private interface FieldReader {
    /** Reads the value the parser stands on, to its last token. */
    void read(String name, JsonParser p) throws IOException;
  }

  private static final Set<String> APPEND_HEAD =
      Set.of("term", "leader-id", "prev-log-index", "prev-log-term", "leader-commit", "sequence");
  private static final Set<String> VOTE_HEAD =
      Set.of("term", "candidate-id", "last-log-index", "last-log-term", "pre-vote", "leadership-transfer");
  private static final Set<String> TIMEOUT_HEAD = Set.of("term", "leader-id");
  private static final Set<String> SNAPSHOT_HEAD =
      Set.of("term", "leader-id", "last-included-index", "last-included-term", "offset", "done", "checksum");
  /** Stands for a structured value where a scalar was expected; every field reader refuses it. */
  private static final JsonNode STRUCTURED = MissingNode.getInstance();

  private RequestDecoder() {}

  /**
   * The message of a request to {@code path}, one of the four {@code /raft/*} paths.
   *
   * @param self this node, the message's {@code to}
   * @param sender turns the sender's {@code leader-id} or {@code candidate-id} (a member's id or
   *     its address) into its node id, or throws
   */
  static RaftMessage decode(String path, Source body, NodeId self, Function<String, NodeId> sender) throws IOException {
    return switch (path) {
      case "/raft/append-entries" -> appendEntries(body, self, sender);
      case "/raft/request-vote" -> requestVote(body, self, sender);
      case "/raft/timeout-now" -> timeoutNow(body, self, sender);
      case "/raft/install-snapshot" -> installSnapshot(body, self, sender);
      default -> throw new IllegalArgumentException("unknown path " + path);
    };
  }

  static AppendEntries appendEntries(Source body, NodeId self, Function<String, NodeId> sender) throws IOException {
    ObjectNode head = head(body, APPEND_HEAD);
    long term = requireLong(head, "term");
    long prevLogIndex = requireLong(head, "prev-log-index");
    long prevLogTerm = requireLong(head, "prev-log-term");
    long leaderCommit = requireLong(head, "leader-commit");
    long sequence = optionalLong(head, "sequence");
    NodeId from = sender.apply(requireText(head, "leader-id"));
    AtomicReference<List<LogEntry>> entries = new AtomicReference<>(List.of());
    fields(body, Set.of("entries"), (name, p) -> entries.set(entries(p, prevLogIndex)));
    return new AppendEntries(from, self, term, prevLogIndex, prevLogTerm, entries.get(), leaderCommit, sequence);
  }

  static RequestVote requestVote(Source body, NodeId self, Function<String, NodeId> sender) throws IOException {
    ObjectNode o = head(body, VOTE_HEAD);
    long term = requireLong(o, "term");
    long lastLogIndex = requireLong(o, "last-log-index");
    long lastLogTerm = requireLong(o, "last-log-term");
    boolean preVote = optionalBoolean(o, "pre-vote");
    boolean leadershipTransfer = optionalBoolean(o, "leadership-transfer");
    return new RequestVote(sender.apply(requireText(o, "candidate-id")), self, term, lastLogIndex, lastLogTerm, preVote,
        leadershipTransfer);
  }

  static TimeoutNow timeoutNow(Source body, NodeId self, Function<String, NodeId> sender) throws IOException {
    ObjectNode o = head(body, TIMEOUT_HEAD);
    long term = requireLong(o, "term");
    return new TimeoutNow(sender.apply(requireText(o, "leader-id")), self, term);
  }

  static InstallSnapshot installSnapshot(Source body, NodeId self, Function<String, NodeId> sender) throws IOException {
    ObjectNode o = head(body, SNAPSHOT_HEAD);
    long term = requireLong(o, "term");
    long lastIncludedIndex = requireLong(o, "last-included-index");
    long lastIncludedTerm = requireLong(o, "last-included-term");
    long offset = requireLong(o, "offset");
    boolean done = optionalBoolean(o, "done");
    long checksum = o.has("checksum") ? requireLong(o, "checksum") : -1;
    if (checksum > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("\"checksum\" (" + checksum + ") must be a CRC32C, below 2^32");
    }
    NodeId from = sender.apply(requireText(o, "leader-id"));
    AtomicReference<ClusterConfig> config = new AtomicReference<>();
    AtomicReference<String> data = new AtomicReference<>("");
    fields(body, Set.of("config", "data"), (name, p) -> {
      if (!name.equals("config")) {
        data.set(textValue(value(p), "data", ""));
      } else if (p.currentToken() == JsonToken.START_OBJECT) {
        config.set(config(p));
      } else {
        p.skipChildren();
        config.set(null);
      }
    });
    if (config.get() == null) {
      throw new IllegalArgumentException("\"config\" must be an object with \"voters\" and \"learners\"");
    }
    byte[] bytes = RaftJson.base64(data.get(), "data");
    if (checksum >= 0) {
      // Put back the trailer a Pontoon leader's last piece carries beside "data" (see RaftJson.encode).
      bytes = ByteBuffer.allocate(bytes.length + RaftJson.CHECKSUM_BYTES).put(bytes).putInt((int) checksum).array();
    }
    return new InstallSnapshot(from, self, term, lastIncludedIndex, lastIncludedTerm, config.get(), offset, Bytes.wrap(bytes),
        done);
  }

  // ---- the two passes

  /** Pass 1: the top-level scalar fields in {@code names}, as small nodes; everything else is skipped unread. */
  private static ObjectNode head(Source body, Set<String> names) throws IOException {
    ObjectNode head = RaftJson.JSON.createObjectNode();
    fields(body, names, (name, p) -> head.set(name, value(p)));
    return head;
  }

  /** Streams the body's top-level object: hands each field in {@code names} to {@code reader}, skips the others. */
  private static void fields(Source body, Set<String> names, FieldReader reader) throws IOException {
    try (JsonParser p = body.open()) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("body must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (names.contains(name)) {
          reader.read(name, p);
        } else {
          p.skipChildren();
        }
      }
    }
  }

  /** A scalar as a small node, for the field readers of {@link RaftJson}; a structured value is skipped. */
  private static JsonNode value(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
          ? BigIntegerNode.valueOf(p.getBigIntegerValue()) : LongNode.valueOf(p.getLongValue());
      case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(p.getDoubleValue());
      case VALUE_STRING -> TextNode.valueOf(p.getText());
      case VALUE_TRUE, VALUE_FALSE -> BooleanNode.valueOf(p.getBooleanValue());
      case VALUE_NULL -> NullNode.getInstance();
      default -> {
        p.skipChildren();
        yield STRUCTURED;
      }
    };
  }

  // ---- the bulk

  /** The array the parser stands on, one {@link LogEntry} at a time; the first bad entry is named by its position. */
  private static List<LogEntry> entries(JsonParser p, long prevLogIndex) throws IOException {
    List<LogEntry> entries = new ArrayList<>();
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return entries;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("\"entries\" must be an array");
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      int position = entries.size();
      try {
        entries.add(entry(p, prevLogIndex + 1, prevLogIndex + 1 + position));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("entries[" + position + "]: " + e.getMessage(), e);
      }
    }
    return entries;
  }

  /** The entry object the parser stands on, which must be at {@code expected} (the first at {@code first}). */
  private static LogEntry entry(JsonParser p, long first, long expected) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("each entry must be an object");
    }
    JsonNode index = null;
    JsonNode term = null;
    JsonNode kind = null;
    JsonNode command = null;
    JsonNode encoding = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "index" -> index = value(p);
        case "term" -> term = value(p);
        case "kind" -> kind = value(p);
        case "command" -> command = value(p);
        case "encoding" -> encoding = value(p);
        default -> p.skipChildren();
      }
    }
    long at = index == null ? expected : longValue(index, "index");
    EntryKind entryKind = switch (textValue(kind, "kind", "command")) {
      case "command" -> EntryKind.COMMAND;
      case "no-op" -> EntryKind.NO_OP;
      case "configuration" -> EntryKind.CONFIGURATION;
      default -> throw new IllegalArgumentException("entry \"kind\" must be command, no-op or configuration");
    };
    String text = textValue(command, "command", "");
    Bytes payload = switch (textValue(encoding, "encoding", "utf-8")) {
      case "utf-8" -> text.isEmpty() ? Bytes.EMPTY : Bytes.ofUtf8(text);
      case "base64" -> Bytes.wrap(RaftJson.base64(text, "command"));
      default -> throw new IllegalArgumentException("entry \"encoding\" must be utf-8 or base64");
    };
    long entryTerm = longValue(term, "term");
    if (at != expected) {
      throw new IllegalArgumentException("\"index\" (" + at + ") must be " + expected
          + ": entries are consecutive from prev-log-index + 1 (" + first + ")");
    }
    return new LogEntry(at, entryTerm, entryKind, payload);
  }

  /**
   * The configuration object the parser stands on: {@code voters} and {@code learners}, and, only
   * when present, {@code outgoing-voters} and {@code addresses} (see {@link RaftJson#encodeConfig}).
   */
  static ClusterConfig config(JsonParser p) throws IOException {
    Set<NodeId> voters = Set.of();
    Set<NodeId> learners = Set.of();
    Set<NodeId> outgoingVoters = Set.of();
    Map<NodeId, String> addresses = Map.of();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      switch (name) {
        case "voters" -> voters = ids(p, name);
        case "learners" -> learners = ids(p, name);
        case "outgoing-voters" -> outgoingVoters = ids(p, name);
        case "addresses" -> addresses = addresses(p);
        default -> p.skipChildren();
      }
    }
    return new ClusterConfig(voters, learners, outgoingVoters, addresses);
  }

  private static Set<NodeId> ids(JsonParser p, String name) throws IOException {
    Set<NodeId> ids = new TreeSet<>();
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return ids;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new IllegalArgumentException("\"" + name + "\" must be an array of node ids");
    }
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        throw new IllegalArgumentException("\"" + name + "\" must be an array of node ids");
      }
      ids.add(new NodeId(p.getText()));
    }
    return ids;
  }

  private static Map<NodeId, String> addresses(JsonParser p) throws IOException {
    Map<NodeId, String> addresses = new TreeMap<>();
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return addresses;
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new IllegalArgumentException("\"addresses\" must be an object of node id to address");
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      NodeId id = new NodeId(p.currentName());
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw new IllegalArgumentException("\"addresses\" must map each node id to an address string");
      }
      addresses.put(id, p.getText());
    }
    return addresses;
  }
}
