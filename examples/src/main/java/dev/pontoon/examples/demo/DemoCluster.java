package dev.pontoon.examples.demo;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The demo's nodes N1..NN in one process: each a {@link RaftServer} on an in-memory transport
 * (watched by the {@link Narrator}) and an in-memory log that outlives the node, so that a killed
 * node restarts from its log as from a disk. Not bootstrapped: every node starts as a follower in
 * term 0 with an empty log, and the first leader is elected.
 *
 * <p>CheckQuorum is off, so that a leader cut off in a minority keeps its role (the split brain
 * the demo shows); PreVote is on, as by default.
 *
 * <p><b>Threading.</b> The demo's main thread calls every method; {@link #traffic} is notified
 * on node threads whenever a node sends a message.
 */
final class DemoCluster implements AutoCloseable {
  static final int HEARTBEAT_TICKS = 3;
  private final ClusterConfig config;
  private final Duration tick;
  private final Narrator narrator;
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final Map<NodeId, InMemoryLogStore> logs = new LinkedHashMap<>();
  private final Map<NodeId, RaftServer> running = new LinkedHashMap<>();
  /** Notified whenever a node sends a message. */
  final Object traffic = new Object();

  DemoCluster(int nodes, Duration tick, PrintStream out) {
    Set<NodeId> ids = new TreeSet<>();
    for (int i = 1; i <= nodes; i++) {
      ids.add(NodeId.of("N" + i));
    }
    this.config = ClusterConfig.ofVoters(ids);
    this.tick = tick;
    this.narrator = new Narrator(out, tick.multipliedBy(HEARTBEAT_TICKS), this::entries);
    ids.forEach(id -> logs.put(id, new InMemoryLogStore()));
  }

  /** Tells the story of the cluster's messages. */
  Narrator narrator() {
    return narrator;
  }

  /** Every node, running or not. */
  Set<NodeId> ids() {
    return config.voters();
  }

  /** The nodes that run. */
  Set<NodeId> running() {
    return new TreeSet<>(running.keySet());
  }

  RaftServer node(NodeId id) {
    return running.get(id);
  }

  /** Starts {@code id} on its log (empty the first time). */
  void start(NodeId id) {
    RaftConfig raft = RaftConfig.defaults().withElectionTimeoutTicks(10, 30).withHeartbeatTicks(HEARTBEAT_TICKS)
        .withCheckQuorum(false);
    running.put(id, RaftServer.builder().nodeId(id).cluster(config)
        .transport(new WatchedTransport(network.transport(id), this::sent)).logStore(logs.get(id))
        .stateMachine(new NotesStateMachine()).tickInterval(tick).raftConfig(raft).build());
  }

  private void sent(RaftMessage message) {
    narrator.watch(message);
    synchronized (traffic) {
      traffic.notifyAll();
    }
  }

  /** Stops {@code id} as a crash would: it sends and receives nothing more; its log stays. */
  void kill(NodeId id) {
    network.disconnect(id);
    running.remove(id).close();
  }

  /** Starts {@code id} again on the log it had. */
  void restart(NodeId id) {
    network.reconnect(id);
    start(id);
  }

  /** Splits the network into {@code parts}: messages pass only within one. */
  void partition(List<Set<NodeId>> parts) {
    narrator.partition(parts);
    @SuppressWarnings("unchecked")
    Set<NodeId>[] sets = parts.toArray(new Set[0]);
    network.partition(sets);
  }

  /** Joins the network again. */
  void heal() {
    network.heal();
    narrator.heal();
  }

  /** How long heartbeats are apart. */
  Duration heartbeat() {
    return tick.multipliedBy(HEARTBEAT_TICKS);
  }

  /** The log of {@code id}, entry by entry: {@code 2:t1 "data1"}. */
  List<String> log(NodeId id) {
    List<String> entries = new ArrayList<>();
    for (LogEntry e : entries(id)) {
      entries.add(Narrator.describe(List.of(e)).replaceAll("^\\[|\\]$", ""));
    }
    return entries;
  }

  /** The entries of {@code id}'s log (it is synchronized, so any thread may read it). */
  List<LogEntry> entries(NodeId id) {
    InMemoryLogStore log = logs.get(id);
    synchronized (log) {
      return log.entries(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE);
    }
  }

  @Override
  public void close() {
    running.values().forEach(RaftServer::close);
    running.clear();
  }
}
