package dev.pontoon.examples.specpeer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Raft follower written only from {@code examples/HTTP-TRANSPORT.md}, sharing no Pontoon code:
 * the JDK's {@link HttpServer} and the small JSON reader and writer in {@link Json}. It serves the
 * page's {@code POST /raft/append-entries}, {@code /raft/request-vote},
 * {@code /raft/install-snapshot} and {@code /raft/timeout-now}, keeps its term, vote and log in
 * memory, never campaigns, and shows its log at {@code GET /log} as
 * {@code {"commit-index":N,"entries":[{"index","term","kind","command"}…]}}.
 *
 * <p>It exists to prove that the page is enough to interoperate: {@code SpecPeerInteropTest} starts
 * Pontoon KV nodes with it as a member and compares the logs.
 *
 * <p><b>Threading.</b> The server's one dispatcher thread handles every request; the state is also
 * guarded by this object's lock for {@link #log()} from other threads.
 */
public final class SpecPeer implements AutoCloseable {
  /** One log entry as the page describes it; the command is kept exactly as it came. */
  public record Entry(long index, long term, String kind, String command, String encoding) {}

  private final HttpServer server;
  private long currentTerm;
  private String votedFor;
  private final List<Entry> log = new ArrayList<>();
  private long snapshotIndex;
  private long snapshotTerm;
  private long commitIndex;

  private SpecPeer(HttpServer server) {
    this.server = server;
  }

  /** Starts a peer on {@code 127.0.0.1:port} (0 picks a free port). */
  public static SpecPeer start(int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    SpecPeer peer = new SpecPeer(server);
    server.createContext("/", peer::handle);
    server.start();
    return peer;
  }

  /** This peer's address, {@code host:port}: its id on the page. */
  public String address() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** A copy of the log (entries after the last snapshot). */
  public synchronized List<Entry> log() {
    return List.copyOf(log);
  }

  /** The commit index the leader told this peer about. */
  public synchronized long commitIndex() {
    return commitIndex;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    byte[] body = exchange.getRequestBody().readAllBytes();
    int status = 200;
    String answer;
    try {
      if (path.equals("/log")) {
        answer = method.equals("GET") ? Json.write(logPage()) : null;
        status = answer == null ? 405 : 200;
      } else if (!path.startsWith("/raft/")) {
        status = 404;
        answer = Json.write(Map.of("error", "unknown path " + path));
      } else if (!method.equals("POST")) {
        status = 405;
        answer = Json.write(Map.of("error", "use POST"));
      } else {
        Map<String, Object> request = Json.object(Json.read(new String(body, StandardCharsets.UTF_8)));
        answer = Json.write(switch (path) {
          case "/raft/append-entries" -> appendEntries(request);
          case "/raft/request-vote" -> requestVote(request);
          case "/raft/install-snapshot" -> installSnapshot(request);
          case "/raft/timeout-now" -> Map.of(); // a follower-only peer never campaigns
          default -> throw new UnknownPath(path);
        });
      }
    } catch (UnknownPath e) {
      status = 404;
      answer = Json.write(Map.of("error", "unknown path " + path));
    } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
      status = 400;
      answer = Json.write(Map.of("error", String.valueOf(e.getMessage())));
    }
    byte[] bytes = (answer == null ? "{}" : answer).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  /** Unknown {@code /raft/} path. */
  private static final class UnknownPath extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnknownPath(String path) {
      super(path);
    }
  }

  /** The page's AppendEntries receiver (Figure 2). */
  private synchronized Map<String, Object> appendEntries(Map<String, Object> request) {
    long term = Json.number(request, "term");
    if (term < currentTerm) {
      return Map.of("term", currentTerm, "success", false);
    }
    observe(term);
    long prevLogIndex = Json.number(request, "prev-log-index");
    long prevLogTerm = Json.number(request, "prev-log-term");
    if (prevLogIndex > lastIndex() || termAt(prevLogIndex) != prevLogTerm) {
      return Map.of("term", currentTerm, "success", false);
    }
    long index = prevLogIndex;
    for (Object item : Json.list(request.get("entries"))) {
      Map<String, Object> e = Json.object(item);
      index = e.containsKey("index") ? Json.number(e, "index") : index + 1;
      Entry entry = new Entry(index, Json.number(e, "term"), Json.text(e, "kind", "command"), Json.text(e, "command", ""),
          Json.text(e, "encoding", "utf-8"));
      if (index <= snapshotIndex) {
        continue; // already in the snapshot, hence committed
      }
      if (index <= lastIndex() && termAt(index) != entry.term()) {
        log.subList((int) (index - snapshotIndex - 1), log.size()).clear(); // a conflict: drop it and what follows
      }
      if (index > lastIndex()) {
        log.add(entry);
      }
    }
    long leaderCommit = Json.number(request, "leader-commit");
    if (leaderCommit > commitIndex) {
      commitIndex = Math.max(commitIndex, Math.min(leaderCommit, index));
    }
    return Map.of("term", currentTerm, "success", true);
  }

  /** The page's RequestVote receiver, PreVote included (no state changes for a probe). */
  private synchronized Map<String, Object> requestVote(Map<String, Object> request) {
    long term = Json.number(request, "term");
    String candidate = Json.text(request, "candidate-id", null);
    long lastLogIndex = Json.number(request, "last-log-index");
    long lastLogTerm = Json.number(request, "last-log-term");
    boolean upToDate = lastLogTerm > termAt(lastIndex()) || (lastLogTerm == termAt(lastIndex()) && lastLogIndex >= lastIndex());
    Map<String, Object> answer = new LinkedHashMap<>();
    if (Boolean.TRUE.equals(request.get("pre-vote"))) {
      boolean grant = term > currentTerm && upToDate;
      answer.put("term", grant ? term : currentTerm);
      answer.put("vote-granted", grant);
      answer.put("pre-vote", true);
      return answer;
    }
    if (term < currentTerm) {
      return Map.of("term", currentTerm, "vote-granted", false);
    }
    observe(term);
    boolean grant = (votedFor == null || votedFor.equals(candidate)) && upToDate;
    if (grant) {
      votedFor = candidate;
    }
    return Map.of("term", currentTerm, "vote-granted", grant);
  }

  /** The page's InstallSnapshot: keeps only the index and term, since this peer has no state machine. */
  private synchronized Map<String, Object> installSnapshot(Map<String, Object> request) {
    long term = Json.number(request, "term");
    long lastIncludedIndex = Json.number(request, "last-included-index");
    long lastIncludedTerm = Json.number(request, "last-included-term");
    long nextOffset = Json.number(request, "offset") + Base64.getDecoder().decode(Json.text(request, "data", "")).length;
    if (term < currentTerm) {
      return Map.of("term", currentTerm, "last-included-index", lastIncludedIndex, "next-offset", 0, "success", false);
    }
    observe(term);
    if (Boolean.TRUE.equals(request.get("done")) && lastIncludedIndex > snapshotIndex) {
      boolean keep = lastIncludedIndex <= lastIndex() && termAt(lastIncludedIndex) == lastIncludedTerm;
      List<Entry> after = keep ? new ArrayList<>(log.subList((int) (lastIncludedIndex - snapshotIndex), log.size())) : List.of();
      log.clear();
      log.addAll(after);
      snapshotIndex = lastIncludedIndex;
      snapshotTerm = lastIncludedTerm;
      commitIndex = Math.max(commitIndex, lastIncludedIndex);
    }
    return Map.of("term", currentTerm, "last-included-index", lastIncludedIndex, "next-offset", nextOffset, "success", true);
  }

  /** A request of a higher term makes this peer a follower of that term, with no vote yet (§5.1). */
  private void observe(long term) {
    if (term > currentTerm) {
      currentTerm = term;
      votedFor = null;
    }
  }

  private long lastIndex() {
    return snapshotIndex + log.size();
  }

  private long termAt(long index) {
    if (index == snapshotIndex) {
      return snapshotTerm;
    }
    return index < snapshotIndex ? -1 : log.get((int) (index - snapshotIndex - 1)).term();
  }

  private synchronized Map<String, Object> logPage() {
    List<Object> entries = new ArrayList<>();
    for (Entry e : log) {
      Map<String, Object> rendered = new LinkedHashMap<>();
      rendered.put("index", e.index());
      rendered.put("term", e.term());
      rendered.put("kind", e.kind());
      rendered.put("command", e.command());
      entries.add(rendered);
    }
    Map<String, Object> page = new LinkedHashMap<>();
    page.put("commit-index", commitIndex);
    page.put("entries", entries);
    return page;
  }
}
