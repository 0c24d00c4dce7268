package dev.pontoon.examples.maelstrom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Raft messages as Maelstrom message bodies between nodes. The sender and receiver are the
 * Maelstrom {@code src} and {@code dest}; bodies carry no {@code msg_id}, so that only client
 * replies use the node's message counter. Payloads travel in base64. Decoding refuses a missing,
 * mistyped or negative field with an {@link IllegalArgumentException} that names it.
 */
final class RaftBodies {

  private RaftBodies() {}

  /** Whether {@code type} is a Raft message between nodes (and not the {@code raft_append} client request). */
  static boolean isRaftType(String type) {
    return switch (type) {
      case "raft_append_entries", "raft_append_entries_res", "raft_request_vote", "raft_request_vote_res",
          "raft_install_snapshot", "raft_install_snapshot_res", "raft_timeout_now" -> true;
      default -> false;
    };
  }

  static ObjectNode encode(ObjectMapper json, RaftMessage message) {
    ObjectNode o = json.createObjectNode();
    if (message instanceof AppendEntries m) {
      o.put("type", "raft_append_entries").put("term", m.term()).put("prev_log_index", m.prevLogIndex())
          .put("prev_log_term", m.prevLogTerm()).put("leader_commit", m.leaderCommit()).put("sequence", m.sequence());
      ArrayNode entries = o.putArray("entries");
      for (LogEntry e : m.entries()) {
        entries.addObject().put("index", e.index()).put("term", e.term()).put("kind", e.kind().name())
            .put("data", Base64.getEncoder().encodeToString(e.payload().toByteArray()));
      }
    } else if (message instanceof AppendEntriesResponse m) {
      o.put("type", "raft_append_entries_res").put("term", m.term()).put("success", m.success())
          .put("match_index", m.matchIndex()).put("conflict_term", m.conflictTerm())
          .put("conflict_index", m.conflictIndex()).put("sequence", m.sequence());
    } else if (message instanceof RequestVote m) {
      o.put("type", "raft_request_vote").put("term", m.term()).put("last_log_index", m.lastLogIndex())
          .put("last_log_term", m.lastLogTerm()).put("pre_vote", m.preVote())
          .put("leadership_transfer", m.leadershipTransfer());
    } else if (message instanceof RequestVoteResponse m) {
      o.put("type", "raft_request_vote_res").put("term", m.term()).put("vote_granted", m.voteGranted())
          .put("pre_vote", m.preVote());
    } else if (message instanceof InstallSnapshot m) {
      o.put("type", "raft_install_snapshot").put("term", m.term()).put("last_included_index", m.lastIncludedIndex())
          .put("last_included_term", m.lastIncludedTerm()).put("offset", m.offset()).put("done", m.done())
          .put("data", Base64.getEncoder().encodeToString(m.data().toByteArray()));
      ArrayNode voters = o.putArray("voters");
      m.config().voters().forEach(id -> voters.add(id.value()));
      ArrayNode learners = o.putArray("learners");
      m.config().learners().forEach(id -> learners.add(id.value()));
      // Only in a joint configuration, and only when members carry addresses: plain bodies stay as before.
      if (m.config().isJoint()) {
        ArrayNode outgoing = o.putArray("outgoing_voters");
        m.config().outgoingVoters().forEach(id -> outgoing.add(id.value()));
      }
      if (!m.config().addresses().isEmpty()) {
        ObjectNode addresses = o.putObject("addresses");
        m.config().addresses().forEach((id, address) -> addresses.put(id.value(), address));
      }
    } else if (message instanceof InstallSnapshotResponse m) {
      o.put("type", "raft_install_snapshot_res").put("term", m.term()).put("last_included_index", m.lastIncludedIndex())
          .put("next_offset", m.nextOffset()).put("success", m.success());
    } else if (message instanceof TimeoutNow m) {
      o.put("type", "raft_timeout_now").put("term", m.term());
    }
    return o;
  }

  static RaftMessage decode(NodeId from, NodeId to, JsonNode b) {
    String type = b.path("type").asText();
    long term = num(b, "term");
    return switch (type) {
      case "raft_append_entries" -> new AppendEntries(from, to, term, num(b, "prev_log_index"), num(b, "prev_log_term"),
          entries(b), num(b, "leader_commit"), num(b, "sequence"));
      case "raft_append_entries_res" -> new AppendEntriesResponse(from, to, term, bool(b, "success"),
          num(b, "match_index"), num(b, "conflict_term"), num(b, "conflict_index"), num(b, "sequence"));
      case "raft_request_vote" -> new RequestVote(from, to, term, num(b, "last_log_index"), num(b, "last_log_term"),
          bool(b, "pre_vote"), bool(b, "leadership_transfer"));
      case "raft_request_vote_res" -> new RequestVoteResponse(from, to, term, bool(b, "vote_granted"), bool(b, "pre_vote"));
      case "raft_install_snapshot" -> new InstallSnapshot(from, to, term, num(b, "last_included_index"),
          num(b, "last_included_term"), config(b), num(b, "offset"),
          base64(b, "data"), bool(b, "done"));
      case "raft_install_snapshot_res" -> new InstallSnapshotResponse(from, to, term, num(b, "last_included_index"),
          num(b, "next_offset"), bool(b, "success"));
      case "raft_timeout_now" -> new TimeoutNow(from, to, term);
      default -> throw new IllegalArgumentException("unknown Raft message type " + type);
    };
  }

  private static List<LogEntry> entries(JsonNode b) {
    JsonNode entries = b.get("entries");
    if (entries == null || !entries.isArray()) {
      throw new IllegalArgumentException("\"entries\" must be an array");
    }
    List<LogEntry> decoded = new ArrayList<>();
    for (JsonNode e : entries) {
      EntryKind kind;
      try {
        kind = EntryKind.valueOf(e.path("kind").asText());
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("entry \"kind\" must be one of COMMAND, NO_OP, CONFIGURATION");
      }
      decoded.add(new LogEntry(num(e, "index"), num(e, "term"), kind, base64(e, "data")));
    }
    return decoded;
  }

  static long num(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
      throw new IllegalArgumentException("\"" + name + "\" must be an integer >= 0");
    }
    return v.asLong();
  }

  private static boolean bool(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException("\"" + name + "\" must be true or false");
    }
    return v.asBoolean();
  }

  private static Bytes base64(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("\"" + name + "\" must be a base64 string");
    }
    try {
      return Bytes.wrap(Base64.getDecoder().decode(v.asText()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + name + "\" is not valid base64");
    }
  }

  /** The configuration of an install-snapshot body; {@code outgoing_voters} and {@code addresses} may be absent. */
  private static ClusterConfig config(JsonNode b) {
    Set<NodeId> outgoing = b.has("outgoing_voters") ? ids(b, "outgoing_voters") : Set.of();
    Map<NodeId, String> addresses = new TreeMap<>();
    JsonNode given = b.get("addresses");
    if (given != null) {
      if (!given.isObject()) {
        throw new IllegalArgumentException("\"addresses\" must be an object of node id to address");
      }
      given.fields().forEachRemaining(field -> {
        if (!field.getValue().isTextual()) {
          throw new IllegalArgumentException("\"addresses\" must map each node id to an address string");
        }
        addresses.put(new NodeId(field.getKey()), field.getValue().asText());
      });
    }
    return new ClusterConfig(ids(b, "voters"), ids(b, "learners"), outgoing, addresses);
  }

  private static Set<NodeId> ids(JsonNode o, String name) {
    JsonNode v = o.get(name);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("\"" + name + "\" must be an array of node ids");
    }
    Set<NodeId> ids = new TreeSet<>();
    for (JsonNode id : v) {
      if (!id.isTextual()) {
        throw new IllegalArgumentException("\"" + name + "\" must be an array of node ids");
      }
      ids.add(new NodeId(id.asText()));
    }
    return ids;
  }
}
