package dev.pontoon.examples.demo;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code examples/bin/pontoon-demo}: five Raft nodes in one process on the in-memory transport,
 * with election timeouts drawn from 1 to 3 s (ticks of 100 ms, timeouts in [10, 30) ticks),
 * narrated as a timeline: the election (who votes for whom, in which term), the leader
 * replicating "data1" to everyone, the leader killed, a new leader elected, and the log checked
 * to be the same on every survivor. Exits 0 when every step happened, 1 otherwise.
 *
 * <p>Votes are observed by wrapping each node's transport and watching the
 * {@code RequestVoteResponse}s it sends.
 */
public final class TeachingDemo {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
  private final PrintStream out;
  private final long start = System.nanoTime();
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Map<NodeId, RaftServer> nodes = new LinkedHashMap<>();
  private final Map<NodeId, InMemoryLogStore> logs = new LinkedHashMap<>();
  private final Set<String> announced = ConcurrentHashMap.newKeySet();

  TeachingDemo(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    boolean ok;
    TeachingDemo demo = new TeachingDemo(System.out);
    try {
      ok = demo.run();
    } finally {
      demo.stopAll();
    }
    System.exit(ok ? 0 : 1);
  }

  boolean run() {
    ClusterConfig config = ClusterConfig.ofVoters("n1", "n2", "n3", "n4", "n5");
    say("starting 5 nodes " + config.voters() + "; each waits a random 1-3 s without a leader before it campaigns");
    for (NodeId id : config.voters()) {
      InMemoryLogStore log = new InMemoryLogStore();
      logs.put(id, log);
      nodes.put(id, RaftServer.builder().nodeId(id).cluster(config)
          .transport(new WatchedTransport(network.transport(id), this::watch)).logStore(log)
          .stateMachine(new NotesStateMachine()).tickInterval(Duration.ofMillis(100))
          .electionTimeoutTicks(10, 30).heartbeatTicks(3).build());
    }
    Optional<NodeId> leader = awaitLeader(nodes.keySet());
    if (leader.isEmpty()) {
      return fail("no leader was elected");
    }
    say(leader.get() + " is the leader of term " + nodes.get(leader.get()).status().term() + ", agreed by all 5 nodes");
    if (!replicate(leader.get(), "data1", nodes.keySet())) {
      return false;
    }
    say("killing the leader " + leader.get());
    nodes.remove(leader.get()).close();
    network.disconnect(leader.get());
    Optional<NodeId> next = awaitLeader(nodes.keySet());
    if (next.isEmpty()) {
      return fail("no new leader was elected among " + nodes.keySet());
    }
    say(next.get() + " is the new leader, of term " + nodes.get(next.get()).status().term());
    if (!replicate(next.get(), "data2", nodes.keySet())) {
      return false;
    }
    return checkLogs();
  }

  /** Narrates elections: a candidate's first vote request of a term, and every vote granted. */
  private void watch(RaftMessage message) {
    if (message instanceof RequestVote rv && !rv.preVote() && announced.add("campaign " + rv.from() + " " + rv.term())) {
      say(rv.from() + " timed out waiting for a leader and asks for votes in term " + rv.term()
          + " (its last log entry: index " + rv.lastLogIndex() + ", term " + rv.lastLogTerm() + ")");
    } else if (message instanceof RequestVoteResponse vote && !vote.preVote()) {
      say("  " + vote.from() + (vote.voteGranted() ? " votes for " : " refuses its vote to ") + vote.to()
          + " in term " + vote.term());
    }
  }

  private Optional<NodeId> awaitLeader(Set<NodeId> among) {
    NodeId[] found = new NodeId[1];
    boolean agreed = await(() -> {
      Set<NodeId> leaders = new TreeSet<>();
      for (NodeId id : among) {
        RaftNodeStatus s = nodes.get(id).status();
        if (s.leader() == null) {
          return false;
        }
        leaders.add(s.leader());
      }
      found[0] = leaders.size() == 1 ? leaders.iterator().next() : null;
      return found[0] != null && among.contains(found[0]) && nodes.get(found[0]).status().role() == Role.LEADER;
    });
    return agreed ? Optional.of(found[0]) : Optional.empty();
  }

  private boolean replicate(NodeId leader, String note, Set<NodeId> to) {
    say(leader + " appends \"" + note + "\" to its log and sends it to its followers");
    long index;
    try {
      String result = nodes.get(leader).submit(Bytes.ofUtf8(note)).get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).toUtf8();
      index = Long.parseLong(result.substring(result.lastIndexOf(' ') + 1));
    } catch (Exception e) {
      return fail("\"" + note + "\" was not committed: " + e);
    }
    say("\"" + note + "\" is committed at index " + index + ": a majority stored it, and " + leader + " applied it");
    boolean everywhere = await(() -> to.stream().allMatch(id -> nodes.get(id).status().lastApplied() >= index));
    if (!everywhere) {
      return fail("\"" + note + "\" was not applied everywhere");
    }
    say("\"" + note + "\" is applied on all " + to.size() + " nodes " + to);
    return true;
  }

  private boolean checkLogs() {
    Map<NodeId, List<String>> rendered = new LinkedHashMap<>();
    long commit = nodes.values().stream().mapToLong(n -> n.status().commitIndex()).min().orElse(0);
    for (NodeId id : nodes.keySet()) {
      List<String> entries = new ArrayList<>();
      for (LogEntry e : logs.get(id).entries(1, commit + 1, Long.MAX_VALUE)) {
        entries.add(e.index() + ":t" + e.term() + ":" + (e.kind() == EntryKind.COMMAND ? e.payload().toUtf8() : e.kind()));
      }
      rendered.put(id, entries);
      say("  " + id + " log " + entries);
    }
    if (rendered.values().stream().distinct().count() != 1) {
      return fail("the survivors' logs differ");
    }
    say("the log up to commit index " + commit + " is the same on all " + nodes.size() + " survivors");
    return true;
  }

  private boolean await(BooleanSupplier condition) {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(20); // a demo's main thread polls the nodes' status; tests never sleep
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private boolean fail(String why) {
    say("FAILED: " + why);
    return false;
  }

  private synchronized void say(String line) {
    out.printf("[%6.2fs] %s%n", (System.nanoTime() - start) / 1e9, line);
    out.flush();
  }

  void stopAll() {
    nodes.values().forEach(RaftServer::close);
    nodes.clear();
  }
}
