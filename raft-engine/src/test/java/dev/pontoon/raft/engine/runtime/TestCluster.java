package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.SnapshotStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * A cluster of real {@link RaftServer}s in this JVM on an {@link InMemoryNetwork}, with real
 * tick threads. Each node keeps its stores and state machine so that tests can crash and
 * restart it.
 */
final class TestCluster implements AutoCloseable {

  /** 10 ms ticks. */
  static final Duration TICK = Duration.ofMillis(10);
  /**
   * Elections after 0.5-1 s by default: the tests share 2 cores with other builds, and a loop
   * starved for a few hundred milliseconds must not depose a healthy leader.
   */
  static final int ELECTION_TICKS = 50;

  final InMemoryNetwork network = new InMemoryNetwork();
  final ClusterConfig config;
  final Map<NodeId, RaftServer> servers = new LinkedHashMap<>();
  final Map<NodeId, InMemoryLogStore> logStores = new LinkedHashMap<>();
  final Map<NodeId, InMemorySnapshotStore> snapshotStores = new LinkedHashMap<>();
  final Map<NodeId, RecordingStateMachine> machines = new LinkedHashMap<>();
  private final UnaryOperator<RaftServerBuilder> options;
  private final int electionTicks;
  /** What each node is given in place of its in-memory snapshot store (a wrapper over it, by default itself). */
  private final BiFunction<NodeId, InMemorySnapshotStore, SnapshotStore> snapshotStoreView;

  /** Starts {@code size} nodes n1..nN; {@code options} adds settings to every builder. */
  TestCluster(int size, UnaryOperator<RaftServerBuilder> options) {
    this(size, ELECTION_TICKS, options);
  }

  /** As above, with elections after {@code electionTicks} to twice that. */
  TestCluster(int size, int electionTicks, UnaryOperator<RaftServerBuilder> options) {
    this(size, electionTicks, options, (id, store) -> store);
  }

  /** As above; each node (started or restarted) gets {@code snapshotStoreView} of its snapshot store. */
  TestCluster(int size, int electionTicks, UnaryOperator<RaftServerBuilder> options,
      BiFunction<NodeId, InMemorySnapshotStore, SnapshotStore> snapshotStoreView) {
    this.electionTicks = electionTicks;
    this.snapshotStoreView = snapshotStoreView;
    String[] ids = new String[size];
    for (int i = 0; i < size; i++) {
      ids[i] = "n" + (i + 1);
    }
    this.config = ClusterConfig.ofVoters(ids);
    this.options = options;
    for (NodeId id : config.voters()) {
      start(id, new InMemoryLogStore(), new InMemorySnapshotStore());
    }
  }

  TestCluster(int size) {
    this(size, b -> b);
  }

  /** Starts (or restarts) {@code id} on the given stores with a fresh state machine. */
  RaftServer start(NodeId id, LogStore logStore, InMemorySnapshotStore snapshotStore) {
    RecordingStateMachine machine = new RecordingStateMachine();
    RaftServerBuilder builder = RaftServer.builder().nodeId(id).cluster(config).transport(network.transport(id))
        .logStore(logStore).snapshotStore(snapshotStoreView.apply(id, snapshotStore)).stateMachine(machine)
        .tickInterval(TICK).electionTimeoutTicks(electionTicks, 2 * electionTicks).heartbeatTicks(3)
        .randomSeed(id.hashCode());
    RaftServer server = options.apply(builder).build();
    servers.put(id, server);
    if (logStore instanceof InMemoryLogStore memory) {
      logStores.put(id, memory);
    }
    snapshotStores.put(id, snapshotStore);
    machines.put(id, machine);
    return server;
  }

  /** Starts a new node {@code id} that is in no configuration yet and waits to be added ({@code joining()}). */
  RaftServer startJoining(NodeId id, dev.pontoon.raft.transport.Transport transport) {
    RecordingStateMachine machine = new RecordingStateMachine();
    InMemoryLogStore logStore = new InMemoryLogStore();
    InMemorySnapshotStore snapshotStore = new InMemorySnapshotStore();
    RaftServerBuilder builder = RaftServer.builder().nodeId(id).joining().transport(transport)
        .logStore(logStore).snapshotStore(snapshotStore).stateMachine(machine).tickInterval(TICK)
        .electionTimeoutTicks(electionTicks, 2 * electionTicks).heartbeatTicks(3).randomSeed(id.hashCode());
    RaftServer server = options.apply(builder).build();
    servers.put(id, server);
    logStores.put(id, logStore);
    snapshotStores.put(id, snapshotStore);
    machines.put(id, machine);
    return server;
  }

  RaftServer server(String id) {
    return servers.get(NodeId.of(id));
  }

  RecordingStateMachine machine(NodeId id) {
    return machines.get(id);
  }

  /** Waits until exactly one running node is leader and every running node knows it. */
  RaftServer awaitLeader() {
    await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(10)).until(() -> stableLeader().isPresent());
    return stableLeader().orElseThrow();
  }

  private Optional<RaftServer> stableLeader() {
    List<RaftServer> leaders = new ArrayList<>();
    for (RaftServer s : running()) {
      if (s.status().role() == Role.LEADER) {
        leaders.add(s);
      }
    }
    if (leaders.size() != 1) {
      return Optional.empty();
    }
    RaftServer leader = leaders.get(0);
    var status = leader.status();
    if (status.commitIndex() < status.lastLogIndex()) {
      return Optional.empty(); // not yet committed an entry of its term
    }
    for (RaftServer s : running()) {
      if (!leader.id().equals(s.status().leader())) {
        return Optional.empty();
      }
    }
    return Optional.of(leader);
  }

  List<RaftServer> running() {
    List<RaftServer> out = new ArrayList<>();
    for (RaftServer s : servers.values()) {
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  List<RaftServer> followers(RaftServer leader) {
    return running().stream().filter(s -> !s.id().equals(leader.id())).toList();
  }

  /** Closes {@code id} (its stores close too); it can be restarted from its stores' durable copy. */
  void stop(NodeId id) {
    RaftServer s = servers.put(id, null);
    if (s != null) {
      s.close();
    }
  }

  @Override
  public void close() {
    for (NodeId id : new ArrayList<>(servers.keySet())) {
      stop(id);
    }
  }

  /** Submits {@code count} writes {@code prefix<i>=<i>} to {@code leader}, each awaited (20 s at most). */
  static void submitAll(RaftServer leader, String prefix, int count) throws Exception {
    for (int i = 0; i < count; i++) {
      leader.submit(Bytes.ofUtf8(prefix + i + "=" + i)).get(20, TimeUnit.SECONDS);
    }
  }

  /** The exception {@code f} fails with (within 20 s); an AssertionError if it completes normally. */
  static Throwable failure(CompletableFuture<?> f) {
    try {
      f.orTimeout(20, TimeUnit.SECONDS).join();
      throw new AssertionError("future completed normally");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  /** A one-node cluster on its own network that leads at once (bootstrap leader). */
  static RaftServer singleNode(String id, RecordingStateMachine machine) {
    return RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(id))
        .transport(new InMemoryNetwork().transport(NodeId.of(id))).logStore(new InMemoryLogStore())
        .stateMachine(machine).tickInterval(TICK).bootstrapLeader(NodeId.of(id)).build();
  }

  /** Live threads of node {@code node}, by the {@code pontoon-<node>-} name prefix. */
  static long threadsOf(String node) {
    String prefix = "pontoon-" + node + "-";
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix))
        .count();
  }
}
