package dev.pontoon.benchmarks.loadgen;

import dev.pontoon.raft.transport.netty.LoopbackPorts;
import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.runtime.NodeScheduler;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.file.FileSnapshotStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStoreConfig;
import dev.pontoon.raft.storage.segment.SegmentLogStore;
import dev.pontoon.raft.storage.segment.SegmentLogStoreConfig;
import dev.pontoon.raft.transport.Transport;
import dev.pontoon.raft.transport.netty.NettyTransport;
import dev.pontoon.raft.transport.netty.NettyTransportConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cluster of {@link RaftServer}s in this JVM, on in-memory or RocksDB log stores, connected by
 * the in-memory network or by Netty over loopback. Node {@code n1} is the bootstrap leader, so that
 * an in-memory cluster takes writes as soon as it is built (over Netty, connections come up
 * first; see {@link #awaitLeader}). For benchmarks and the load tool.
 *
 * <p>Every node's log store is wrapped in a {@link CountingLogStore}, so that {@link #logSyncs()}
 * can tell how many group-commit syncs the nodes made; the stores themselves are unchanged.
 *
 * <p><b>Threading.</b> Build and {@link #close()} from one thread; the other methods from any.
 */
public final class InProcessCluster implements AutoCloseable {

  /** How the nodes talk. */
  public enum TransportKind {
    /** Messages are handed from loop to loop in memory. */
    MEMORY,
    /** Netty over loopback TCP. */
    NETTY
  }

  /** Where the nodes keep their logs. */
  public enum StoreKind {
    /** {@code InMemoryLogStore}: no disk. */
    MEMORY,
    /**
     * {@code RocksDbLogStore}, with a {@code FileSnapshotStore} beside it, in a fresh temporary
     * directory per node, deleted on close.
     */
    ROCKSDB,
    /**
     * {@code SegmentLogStore}, with a {@code FileSnapshotStore} beside it, in a fresh temporary
     * directory per node, deleted on close.
     */
    SEGMENT;

    /** Whether the logs are on disk. */
    boolean durable() {
      return this != MEMORY;
    }
  }

  private static final ClusterId LOADGEN = ClusterId.of("loadgen");

  private final List<RaftServer> servers = new ArrayList<>();
  private final List<CountingLogStore> logStores = new ArrayList<>();
  private final RaftServer leader;
  private final Path dataDirectory;

  /** Builds and starts {@code size} nodes on in-memory log stores. */
  public InProcessCluster(int size, TransportKind kind) {
    this(size, kind, StoreKind.MEMORY);
  }

  /**
   * Builds and starts {@code size} nodes.
   *
   * @throws RuntimeException if a node cannot be built; the nodes built before it are closed
   */
  public InProcessCluster(int size, TransportKind kind, StoreKind store) {
    this(size, kind, store, false);
  }

  /**
   * Builds and starts {@code size} nodes; with {@code loopOnIoThread} (Netty only), each node's
   * transport has one I/O thread and the node's event loop runs on it
   * ({@code NodeScheduler.eventLoopOn(transport.eventLoop())}), as the peer comparison's
   * {@code pontoon-embedded} wires them.
   *
   * @throws IllegalArgumentException if {@code loopOnIoThread} is asked of the in-memory transport
   * @throws RuntimeException if a node cannot be built; the nodes built before it are closed
   */
  public InProcessCluster(int size, TransportKind kind, StoreKind store, boolean loopOnIoThread) {
    if (loopOnIoThread && kind != TransportKind.NETTY) {
      throw new IllegalArgumentException("an event loop on the transport's I/O thread needs the Netty transport, not "
          + kind);
    }
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      names.add("n" + i);
    }
    ClusterConfig config = ClusterConfig.ofVoters(names.toArray(String[]::new));
    Map<NodeId, Transport> transports = kind == TransportKind.MEMORY ? memory(config) : netty(config, loopOnIoThread);
    dataDirectory = store.durable() ? createTempDirectory() : null;
    try {
      for (NodeId id : config.voters()) {
        servers.add(build(id, config, transports.get(id), store, loopOnIoThread));
      }
    } catch (RuntimeException e) {
      transports.values().forEach(Transport::close);
      close();
      throw e;
    }
    leader = servers.get(0);
  }

  private RaftServer build(NodeId id, ClusterConfig config, Transport transport, StoreKind store,
      boolean loopOnIoThread) {
    RaftServerBuilder builder = RaftServer.builder().nodeId(id).cluster(config).transport(transport)
        .stateMachine(new CountingStateMachine()).bootstrapLeader(NodeId.of("n1"));
    if (loopOnIoThread) {
      builder.scheduler(NodeScheduler.eventLoopOn(((NettyTransport) transport).eventLoop()));
    }
    CountingLogStore log = null;
    SnapshotStore snapshots = null;
    try {
      if (store.durable()) {
        // A durable log needs a durable snapshot store beside it (the builder refuses the in-memory default).
        Path node = dataDirectory.resolve(id.value());
        log = new CountingLogStore(store == StoreKind.ROCKSDB
            ? RocksDbLogStore.open(RocksDbLogStoreConfig.of(node.resolve("log"), LOADGEN, id))
            : SegmentLogStore.open(SegmentLogStoreConfig.of(node.resolve("log"), LOADGEN, id)));
        snapshots = FileSnapshotStore.open(node.resolve("snapshots"));
        builder.snapshotStore(snapshots);
      } else {
        log = new CountingLogStore(new InMemoryLogStore());
      }
      RaftServer server = builder.logStore(log).build();
      logStores.add(log);
      return server;
    } catch (RuntimeException e) {
      // A node that failed to build owns nothing yet: close what was opened for it.
      if (log != null) {
        log.close();
      }
      if (snapshots != null) {
        snapshots.close();
      }
      throw e;
    }
  }

  /**
   * The {@code LogStore.sync()} calls that all nodes' log stores completed so far: one per
   * group-commit batch per node.
   */
  public long logSyncs() {
    long total = 0;
    for (CountingLogStore log : logStores) {
      total += log.syncs();
    }
    return total;
  }

  private static Path createTempDirectory() {
    try {
      return Files.createTempDirectory("pontoon-loadgen-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bootstrap leader. */
  public RaftServer leader() {
    return leader;
  }

  /** The node with this id, if it is a member. */
  public Optional<RaftServer> server(NodeId id) {
    return servers.stream().filter(s -> s.id().equals(id)).findFirst();
  }

  /**
   * Waits until one node is leader, every node knows it, and it committed everything in its log
   * (so that its term's first entries are committed).
   *
   * @throws IllegalStateException if that does not happen within {@code timeout}
   */
  public RaftServer awaitLeader(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<RaftServer> stable = stableLeader();
      if (stable.isPresent()) {
        return stable.get();
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    throw new IllegalStateException("no stable leader within " + timeout);
  }

  private Optional<RaftServer> stableLeader() {
    List<RaftServer> leaders = servers.stream().filter(s -> s.status().role() == Role.LEADER).toList();
    if (leaders.size() != 1) {
      return Optional.empty();
    }
    RaftNodeStatus status = leaders.get(0).status();
    boolean known = servers.stream().allMatch(s -> status.id().equals(s.status().leader()));
    return known && status.commitIndex() == status.lastLogIndex() ? Optional.of(leaders.get(0)) : Optional.empty();
  }

  /** Closes every node (its transport and stores with it), then deletes the RocksDB directories. */
  @Override
  public void close() {
    servers.forEach(RaftServer::close);
    if (dataDirectory != null) {
      deleteRecursively(dataDirectory);
    }
  }

  private static Map<NodeId, Transport> memory(ClusterConfig config) {
    InMemoryNetwork network = new InMemoryNetwork();
    Map<NodeId, Transport> out = new LinkedHashMap<>();
    for (NodeId id : config.voters()) {
      out.put(id, network.transport(id));
    }
    return out;
  }

  private static Map<NodeId, Transport> netty(ClusterConfig config, boolean oneIoThread) {
    Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
    for (NodeId id : config.voters()) {
      addresses.put(id, new InetSocketAddress("127.0.0.1", LoopbackPorts.takeOne()));
    }
    Map<NodeId, Transport> out = new LinkedHashMap<>();
    for (NodeId id : config.voters()) {
      NettyTransportConfig.Builder b = NettyTransportConfig.builder(id, LOADGEN).listenAddress(addresses.get(id));
      if (oneIoThread) {
        b.ioThreads(1);
      }
      addresses.forEach((peer, address) -> {
        if (!peer.equals(id)) {
          b.peer(peer, address);
        }
      });
      out.put(id, new NettyTransport(b.build()));
    }
    return out;
  }

  /** Counts applied commands; the smallest state machine that still does the apply work. */
  private static final class CountingStateMachine implements StateMachine {
    private long applied;

    @Override
    public Bytes apply(long index, Bytes command) {
      applied++;
      return Bytes.EMPTY;
    }

    @Override
    public Bytes query(Bytes query) {
      return Bytes.ofUtf8(Long.toString(applied));
    }
  }
}
