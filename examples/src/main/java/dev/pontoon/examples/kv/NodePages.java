package dev.pontoon.examples.kv;

import static dev.pontoon.examples.kv.HttpReplies.json;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.LogCompactedException;
import dev.pontoon.raft.storage.LogReader;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The read-only pages {@code GET /status} and {@code GET /log}, rendered from the node's
 * {@link RaftNode#status()} and its log store. Field names are a contract with outside tools.
 * {@code GET /status?log-tail=N} adds the last {@code N} entries' index, term and kind, which is
 * what {@link ClusterView} asks every member for.
 */
final class NodePages {
  /** The most entries {@code log-tail} may ask for: enough for a strip on a page, small to poll. */
  static final int MAX_LOG_TAIL = 100;
  private static final long MAX_LOG_BYTES = 4L * 1024 * 1024;
  private final RaftNode node;
  private final LogReader logReader;
  private final PeerDirectory peers;
  private final KvHttpConfig config;

  NodePages(RaftNode node, LogReader logReader, PeerDirectory peers, KvHttpConfig config) {
    this.node = node;
    this.logReader = logReader;
    this.peers = peers;
    this.config = config;
  }

  FullHttpResponse status(Map<String, List<String>> parameters) {
    return json(HttpResponseStatus.OK, statusBody(logTail(parameters)));
  }

  /** The body of {@code GET /status}; with {@code logTail > 0}, also a {@code log} with that many last entries. */
  Map<String, Object> statusBody(int logTail) {
    RaftNodeStatus status = node.status();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", status.id().value());
    body.put("role", roleName(status.role(), status.config(), status.id()));
    body.put("term", status.term());
    body.put("leader", status.leader() == null ? null : status.leader().value());
    body.put("commit-index", status.commitIndex());
    body.put("last-applied", status.lastApplied());
    body.put("snapshot-index", status.snapshotIndex());
    body.put("last-log-index", status.lastLogIndex());
    body.put("http", peers.httpAddress(status.id()).orElse(null));
    // A node waiting to be added may know no configuration yet.
    List<Map<String, Object>> members = status.config() == null ? new ArrayList<>()
        : MembersView.members(status.config(), peers);
    for (Map<String, Object> member : members) {
      RaftNodeStatus.FollowerProgress progress = status.followers().get(NodeId.of((String) member.get("id")));
      if (progress != null) {
        member.put("match-index", progress.matchIndex());
        member.put("next-index", progress.nextIndex());
        member.put("lag", progress.lag());
      }
    }
    body.put("members", members);
    body.put("configuration", status.config() == null ? null : MembersView.configuration(status.config()));
    if (logTail > 0) {
      body.put("log", tail(logTail));
    }
    return body;
  }

  /** {@code log-tail} of {@code GET /status} and {@code GET /cluster}: 0 (none) to {@link #MAX_LOG_TAIL}. */
  static int logTail(Map<String, List<String>> parameters) {
    List<String> values = parameters.get("log-tail");
    if (values == null || values.isEmpty()) {
      return 0;
    }
    long tail = parseNumber(values.get(0), "log-tail", "a number of entries");
    if (tail > MAX_LOG_TAIL) {
      throw new IllegalArgumentException("log-tail (" + tail + ") must be at most " + MAX_LOG_TAIL);
    }
    return (int) tail;
  }

  /** The log's bounds and its last {@code count} entries, each as index, term and kind only. */
  private Map<String, Object> tail(int count) {
    long last = logReader.lastIndex();
    Page page = page(Math.max(0, last - count + 1), count);
    List<Map<String, Object>> entries = new ArrayList<>();
    for (LogEntry entry : page.entries()) {
      Map<String, Object> rendered = new LinkedHashMap<>();
      rendered.put("index", entry.index());
      rendered.put("term", entry.term());
      rendered.put("kind", kind(entry.kind()));
      entries.add(rendered);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("first-index", page.first());
    body.put("last-index", page.last());
    body.put("entries", entries);
    return body;
  }

  /**
   * Role names tools read: leader, follower, candidate (PreVote included), learner,
   * not-a-member (a node waiting to be added, or removed; a leader that removed itself is still
   * {@code leader} until it steps down), or stopped (closed, or after a fatal failure, until its
   * process exits).
   */
  static String roleName(Role role, ClusterConfig config, NodeId self) {
    boolean liveNonLeader = role != Role.LEADER && role != Role.STOPPED;
    if (liveNonLeader && (config == null || !config.contains(self))) {
      return "not-a-member";
    }
    if (liveNonLeader && !config.isVoter(self)) {
      return "learner";
    }
    return switch (role) {
      case LEADER -> "leader";
      case FOLLOWER -> "follower";
      case CANDIDATE, PRE_CANDIDATE -> "candidate";
      case STOPPED -> "stopped";
    };
  }

  FullHttpResponse log(Map<String, List<String>> parameters) {
    RaftNodeStatus status = node.status();
    List<String> fromParam = parameters.get("from");
    // By default the page starts at the snapshot point (the first entry after the snapshot), as
    // the HTTP KV specification says; ?from=N shows any entry still held, those the catch-up
    // margin keeps before the snapshot included.
    long from = fromParam == null || fromParam.isEmpty() ? status.snapshotIndex() + 1
        : parseNumber(fromParam.get(0), "from", "a log index");
    Page page = page(from, config.maxLogEntries());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", status.id().value());
    body.put("first-index", page.first());
    body.put("last-index", page.last());
    body.put("snapshot-index", status.snapshotIndex());
    body.put("commit-index", status.commitIndex());
    body.put("last-applied", status.lastApplied());
    List<Map<String, Object>> rendered = new ArrayList<>();
    for (LogEntry entry : page.entries()) {
      rendered.add(render(entry));
    }
    body.put("entries", rendered);
    return json(HttpResponseStatus.OK, body);
  }

  /** What {@code GET /log} shows: the log's bounds and the entries from {@code requested} (or the first held). */
  private record Page(long first, long last, List<LogEntry> entries) {}

  private Page page(long requested, int maxEntries) {
    long first = logReader.firstIndex();
    long last = logReader.lastIndex();
    // Entries below firstIndex are gone into a snapshot (§7): the page starts at the first one
    // held. A compaction between reading firstIndex and the entries moves it on; read again.
    for (int attempt = 0; attempt < 3; attempt++) {
      long from = Math.max(first, requested);
      long to = Math.min(last + 1, from + maxEntries);
      try {
        return new Page(first, last, from < to ? logReader.entries(from, to, MAX_LOG_BYTES) : List.of());
      } catch (LogCompactedException e) {
        first = logReader.firstIndex();
        last = logReader.lastIndex();
      } catch (IndexOutOfBoundsException e) {
        break; // truncated between the two reads: the client asks again
      }
    }
    return new Page(first, last, List.of());
  }

  private static long parseNumber(String text, String name, String what) {
    try {
      long value = Long.parseLong(text);
      if (value < 0) {
        throw new IllegalArgumentException(name + " (" + value + ") must be >= 0");
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be " + what + ", not '" + text + "'");
    }
  }

  private static Map<String, Object> render(LogEntry entry) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("index", entry.index());
    body.put("term", entry.term());
    body.put("kind", kind(entry.kind()));
    if (entry.kind() == EntryKind.COMMAND) {
      body.put("command", describe(entry.payload()));
    } else if (entry.kind() == EntryKind.CONFIGURATION) {
      body.put("command", describeConfig(entry.payload()));
    }
    return body;
  }

  private static String kind(EntryKind kind) {
    return switch (kind) {
      case COMMAND -> "command";
      case NO_OP -> "no-op";
      case CONFIGURATION -> "configuration";
    };
  }

  /** A KV command in its text form ({@link KvCommandText}), such as {@code PUT foo bar}; other payloads in base64. */
  static String describe(Bytes payload) {
    try {
      return KvCommandText.format(KvCodec.decodeCommand(payload));
    } catch (IllegalArgumentException e) {
      return "base64:" + Base64.getEncoder().encodeToString(payload.toByteArray());
    }
  }

  private static String describeConfig(Bytes payload) {
    try {
      ClusterConfig config = ClusterConfig.fromBytes(payload);
      return "CONFIG voters=" + config.voters() + " learners=" + config.learners()
          + (config.isJoint() ? " outgoing-voters=" + config.outgoingVoters() : "");
    } catch (IllegalArgumentException e) {
      return "base64:" + Base64.getEncoder().encodeToString(payload.toByteArray());
    }
  }
}
