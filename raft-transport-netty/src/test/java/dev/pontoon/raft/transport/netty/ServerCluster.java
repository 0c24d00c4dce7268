package dev.pontoon.raft.transport.netty;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** {@link RaftServer}s with in-memory logs and recording state machines, talking over Netty on loopback. */
final class ServerCluster implements AutoCloseable {
  final List<NodeId> ids;
  final Map<NodeId, RaftServer> servers = new LinkedHashMap<>();
  final Map<NodeId, ReopenableTransport> transports = new LinkedHashMap<>();
  final Map<NodeId, RecordingStateMachine> machines = new LinkedHashMap<>();

  /**
   * Election timeouts of 25 to 50 ticks of the default 50 ms ({@link RaftServerBuilder#DEFAULT_TICK_INTERVAL}):
   * 1.25 to 2.5 s, generous for a loaded build machine, where a first TLS handshake is slow.
   */
  static final int ELECTION_MIN_TICKS = 25;
  static final int ELECTION_MAX_TICKS = 50;
  /**
   * Election timeouts of 100 to 200 ticks, 5 to 10 s, for tests that assert that the leader they
   * captured stays leader of the same term: no stall of a loaded machine lasts that long, so a
   * spontaneous election is not what such a test sees. A first election takes that long too.
   */
  static final int STABLE_MIN_TICKS = 100;
  static final int STABLE_MAX_TICKS = 200;

  /** Starts one server per id, each with the transport configuration {@code configs} gives it. */
  ServerCluster(List<NodeId> ids, Function<NodeId, NettyTransportConfig> configs) {
    this(ids, configs, ELECTION_MIN_TICKS, ELECTION_MAX_TICKS);
  }

  /** As above, with election timeouts drawn from {@code [minTicks, maxTicksExclusive)} ticks. */
  ServerCluster(List<NodeId> ids, Function<NodeId, NettyTransportConfig> configs, int minTicks,
      int maxTicksExclusive) {
    this.ids = List.copyOf(ids);
    for (NodeId id : ids) {
      ReopenableTransport transport = new ReopenableTransport(configs.apply(id));
      RecordingStateMachine machine = new RecordingStateMachine();
      transports.put(id, transport);
      machines.put(id, machine);
      servers.put(id, RaftServer.builder()
          .nodeId(id)
          .cluster(ClusterConfig.ofVoters(new TreeSet<>(ids)))
          .transport(transport)
          .logStore(new InMemoryLogStore())
          .stateMachine(machine)
          .randomSeed(id.hashCode())
          .electionTimeoutTicks(minTicks, maxTicksExclusive)
          .build());
    }
  }

  NettyTransport transport(NodeId id) {
    return transports.get(id).current();
  }

  RaftServer awaitLeader() {
    return await("a leader").atMost(RunningNode.PATIENCE).until(() -> servers.values().stream()
        .filter(s -> s.status().role() == Role.LEADER).findFirst(), Optional::isPresent).orElseThrow();
  }

  /**
   * Commits {@code count} distinct commands. A command whose leader lost leadership before it
   * committed is submitted again to the next leader (Raft permits the loss; the test only needs
   * every command in every log, in the same order everywhere).
   */
  List<Bytes> commit(String prefix, int count) throws Exception {
    List<Bytes> commands = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      commands.add(Bytes.ofUtf8(prefix + "-" + i));
    }
    List<Bytes> pending = commands;
    for (int attempt = 0; attempt < 5 && !pending.isEmpty(); attempt++) {
      RaftServer leader = awaitLeader();
      Map<Bytes, CompletableFuture<Bytes>> results = new LinkedHashMap<>();
      pending.forEach(command -> results.put(command, leader.submit(command)));
      CompletableFuture.allOf(results.values().stream().map(f -> f.handle((r, e) -> r))
          .toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      pending = new ArrayList<>();
      for (Map.Entry<Bytes, CompletableFuture<Bytes>> result : results.entrySet()) {
        if (result.getValue().isCompletedExceptionally()) {
          pending.add(result.getKey());
        } else {
          assertEquals(result.getKey(), result.getValue().join(), "the state machine's result comes back");
        }
      }
    }
    assertTrue(pending.isEmpty(), pending.size() + " commands never committed");
    return commands;
  }

  void awaitApplied(NodeId id, List<Bytes> commands) {
    // A set, not the list: List.containsAll is quadratic, and a load test's thousands of commands
    // made each poll take seconds.
    await(id + " applies " + commands.size() + " commands").atMost(RunningNode.PATIENCE)
        .until(() -> new HashSet<>(machines.get(id).applied()).containsAll(commands));
  }

  @Override
  public void close() {
    servers.values().forEach(RaftServer::close);
  }
}
