package dev.pontoon.examples.httptransport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * The JSON forms of Raft messages on the HTTP transport (see {@code HTTP-TRANSPORT.md}). Field
 * names are the wire contract. Decoding trusts nothing: a missing, mistyped or negative field is
 * an {@link IllegalArgumentException} that names it. Requests are encoded here and decoded from
 * the body's bytes by {@link RequestDecoder}, with the field readers below; answers are both
 * encoded and decoded here. Stateless; any thread.
 */
final class RaftJson {
  /**
   * Jackson refuses a string over 20 million chars by default, but a command as large as the
   * transport lets through ({@link HttpTransport#maxMessageBytes()}) travels as one base64 string
   * of up to the whole body: refused, it would be refused at every retry and never replicate. The
   * body limit bounds a string anyway.
   */
  static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(HttpTransport.MAX_REQUEST_BYTES).build())
      .build()).build();

  private RaftJson() {}

  // ---- requests: sender side encodes, receiver side decodes (RequestDecoder, with its own id as "to")

  static ObjectNode encode(AppendEntries m) {
    ObjectNode o = JSON.createObjectNode().put("term", m.term()).put("leader-id", m.from().value())
        .put("prev-log-index", m.prevLogIndex()).put("prev-log-term", m.prevLogTerm());
    ArrayNode entries = o.putArray("entries");
    for (LogEntry e : m.entries()) {
      entries.add(encode(e));
    }
    o.put("leader-commit", m.leaderCommit());
    if (m.sequence() != 0) {
      o.put("sequence", m.sequence());
    }
    return o;
  }

  private static ObjectNode encode(LogEntry e) {
    ObjectNode o = JSON.createObjectNode().put("index", e.index()).put("term", e.term());
    String text = e.kind() == EntryKind.COMMAND ? strictUtf8(e.payload()) : null;
    if (text != null) {
      o.put("command", text);
    } else if (e.kind() != EntryKind.NO_OP || !e.payload().isEmpty()) { // a no-op has no command
      o.put("command", Base64.getEncoder().encodeToString(e.payload().toByteArray())).put("encoding", "base64");
    }
    if (e.kind() != EntryKind.COMMAND) {
      o.put("kind", e.kind() == EntryKind.NO_OP ? "no-op" : "configuration");
    }
    return o;
  }

  static ObjectNode encode(RequestVote m) {
    ObjectNode o = JSON.createObjectNode().put("term", m.term()).put("candidate-id", m.from().value())
        .put("last-log-index", m.lastLogIndex()).put("last-log-term", m.lastLogTerm());
    if (m.preVote()) {
      o.put("pre-vote", true);
    }
    if (m.leadershipTransfer()) {
      o.put("leadership-transfer", true);
    }
    return o;
  }

  static ObjectNode encode(TimeoutNow m) {
    return JSON.createObjectNode().put("term", m.term()).put("leader-id", m.from().value());
  }

  /** Length of the CRC32C trailer of a streamed snapshot's last piece (big-endian). */
  static final int CHECKSUM_BYTES = 4;

  static ObjectNode encode(InstallSnapshot m) {
    ObjectNode o = JSON.createObjectNode().put("term", m.term()).put("leader-id", m.from().value())
        .put("last-included-index", m.lastIncludedIndex()).put("last-included-term", m.lastIncludedTerm());
    encodeConfig(o.putObject("config"), m.config());
    byte[] data = m.data().toByteArray();
    if (m.done() && data.length >= CHECKSUM_BYTES) {
      // A Pontoon leader's last piece ends with the CRC32C of the whole snapshot. It travels in its
      // own field, so that "data" holds only the state machine's bytes, which a peer written from
      // the specification installs as they are; a Pontoon follower puts it back (decode below).
      int end = data.length - CHECKSUM_BYTES;
      long checksum = ByteBuffer.wrap(data, end, CHECKSUM_BYTES).getInt() & 0xFFFF_FFFFL;
      o.put("checksum", checksum);
      data = Arrays.copyOf(data, end);
    }
    return o.put("offset", m.offset()).put("data", Base64.getEncoder().encodeToString(data)).put("done", m.done());
  }

  // ---- answers: receiver side encodes the node's response, sender side decodes it

  static ObjectNode encode(AppendEntriesResponse m) {
    ObjectNode o = JSON.createObjectNode().put("term", m.term()).put("success", m.success());
    if (m.success() || m.matchIndex() != 0) {
      // Always on a success: a reader that fills a missing one in from its request must never
      // have to, since it would credit that request's entries (see the decoder).
      o.put("match-index", m.matchIndex());
    }
    if (m.conflictTerm() != 0 || m.conflictIndex() != 0) {
      o.put("conflict-term", m.conflictTerm()).put("conflict-index", m.conflictIndex());
    }
    if (m.sequence() != 0) {
      o.put("sequence", m.sequence());
    }
    return o;
  }

  /**
   * A peer may answer only {@code term} and {@code success}: the rest is filled in from the
   * request. An answer that names another {@code sequence} than the request's answers another
   * round, so it is refused (IllegalArgumentException) rather than credited to this one.
   */
  static AppendEntriesResponse decodeAppendEntriesResponse(JsonNode o, AppendEntries request) {
    long sequence = optionalLong(o, "sequence");
    if (o.has("sequence") && sequence != request.sequence()) {
      throw new IllegalArgumentException("the answer to append round " + request.sequence() + " names round " + sequence);
    }
    boolean success = requireBoolean(o, "success");
    long matchIndex = o.has("match-index") ? requireLong(o, "match-index") : success ? request.lastIndex() : 0;
    return new AppendEntriesResponse(request.to(), request.from(), requireLong(o, "term"), success, matchIndex,
        optionalLong(o, "conflict-term"), optionalLong(o, "conflict-index"), request.sequence());
  }

  static ObjectNode encode(RequestVoteResponse m) {
    ObjectNode o = JSON.createObjectNode().put("term", m.term()).put("vote-granted", m.voteGranted());
    if (m.preVote()) {
      o.put("pre-vote", true);
    }
    return o;
  }

  static RequestVoteResponse decodeRequestVoteResponse(JsonNode o, RequestVote request) {
    return new RequestVoteResponse(request.to(), request.from(), requireLong(o, "term"), requireBoolean(o, "vote-granted"),
        request.preVote());
  }

  static ObjectNode encode(InstallSnapshotResponse m) {
    return JSON.createObjectNode().put("term", m.term()).put("last-included-index", m.lastIncludedIndex())
        .put("next-offset", m.nextOffset()).put("success", m.success());
  }

  static InstallSnapshotResponse decodeInstallSnapshotResponse(JsonNode o, InstallSnapshot request) {
    return new InstallSnapshotResponse(request.to(), request.from(), requireLong(o, "term"),
        o.has("last-included-index") ? requireLong(o, "last-included-index") : request.lastIncludedIndex(),
        requireLong(o, "next-offset"), requireBoolean(o, "success"));
  }

  // ---- field readers

  static long requireLong(JsonNode o, String name) {
    return longValue(o.get(name), name);
  }

  /** The integer ≥ 0 {@code v} (null when absent) of the field {@code name}. */
  static long longValue(JsonNode v, String name) {
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("\"" + name + "\" must be an integer");
    }
    if (v.asLong() < 0) {
      throw new IllegalArgumentException("\"" + name + "\" (" + v.asLong() + ") must be >= 0");
    }
    return v.asLong();
  }

  static long optionalLong(JsonNode o, String name) {
    return o.has(name) && !o.get(name).isNull() ? requireLong(o, name) : 0;
  }

  private static boolean requireBoolean(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException("\"" + name + "\" must be true or false");
    }
    return v.asBoolean();
  }

  static boolean optionalBoolean(JsonNode o, String name) {
    return o.has(name) && !o.get(name).isNull() && requireBoolean(o, name);
  }

  /** The string {@code v} of the field {@code name}, or {@code otherwise} when {@code v} is absent (null) or JSON null. */
  static String textValue(JsonNode v, String name, String otherwise) {
    if (v == null || v.isNull()) {
      return otherwise;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("\"" + name + "\" must be a string");
    }
    return v.asText();
  }

  /**
   * A configuration as {@code voters} and {@code learners}, plus, only when present, the {@code
   * outgoing-voters} of a joint configuration and the members' {@code addresses} (id to address),
   * so that a configuration without them reads as the specification writes it.
   */
  static void encodeConfig(ObjectNode o, ClusterConfig config) {
    ArrayNode voters = o.putArray("voters");
    config.voters().forEach(id -> voters.add(id.value()));
    ArrayNode learners = o.putArray("learners");
    config.learners().forEach(id -> learners.add(id.value()));
    if (config.isJoint()) {
      ArrayNode outgoing = o.putArray("outgoing-voters");
      config.outgoingVoters().forEach(id -> outgoing.add(id.value()));
    }
    if (!config.addresses().isEmpty()) {
      ObjectNode addresses = o.putObject("addresses");
      config.addresses().forEach((id, address) -> addresses.put(id.value(), address));
    }
  }

  static String requireText(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || !v.isTextual() || v.asText().isEmpty()) {
      throw new IllegalArgumentException("\"" + name + "\" must be a node id or address string");
    }
    return v.asText();
  }

  static byte[] base64(String text, String name) {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + name + "\" is not valid base64");
    }
  }

  /** The payload as text when it is valid UTF-8 (so that it round-trips), else null. */
  private static String strictUtf8(Bytes payload) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
