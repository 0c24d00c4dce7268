package bench.pontoon;

import bench.harness.RaftSystem;
import bench.harness.Versions;
import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.runtime.NodeScheduler;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.file.FileSnapshotStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStoreConfig;
import dev.pontoon.raft.storage.segment.SegmentLogStore;
import dev.pontoon.raft.storage.segment.SegmentLogStoreConfig;
import dev.pontoon.raft.transport.netty.LoopbackPorts;
import dev.pontoon.raft.transport.netty.NettyTransport;
import dev.pontoon.raft.transport.netty.NettyTransportConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pontoon as a peer-bench system, {@code pontoon-embedded}: three {@link RaftServer}s in this JVM,
 * each with its own {@link NettyTransport} on loopback TCP (Pontoon's production transport) and
 * its own {@link SegmentLogStore} in its own directory (Pontoon's faster durable log: one
 * {@code fdatasync} of the active segment per group-commit batch, before the node acknowledges or
 * counts its own entries), or with {@code -Dpontoon.logStore=rocksdb} its own
 * {@link RocksDbLogStore} (one WAL fsync per batch), as in the passes before 2026-12-02-s.
 *
 * <p>Writes go to the leader in-process through {@code RaftServer.submit}, whose future
 * completes once the entry is committed and applied on the leader: the same path as
 * {@code jraft-embedded} ({@code Node.apply}) and {@code ratis-embedded}.
 *
 * <p>Every option but two is left at Pontoon's default, and all are written into
 * {@link #settings()}, so that a changed default shows up in the results instead of silently
 * changing the comparison. The two set: {@code proposalLinger} of {@value #LINGER_MICROS} µs,
 * because the harness's driver is a closed loop (a write's completion frees the slot of the
 * next), the case that option is for; and each member's event loop on its transport's one I/O
 * thread ({@code ioThreads(1)}, {@code NodeScheduler.eventLoopOn(transport.eventLoop())}), the
 * wiring a host with a quick state machine and a non-blocking client would choose, which spares
 * a thread hand-off per message. See their Javadoc. The first leader is elected (no
 * {@code bootstrapLeader}), as in the peers.
 *
 * <p><b>Threading.</b> {@link #start} and {@link #close} from one thread; {@link #submit} from
 * the driver's thread; futures complete where Pontoon applies: by default its event loop while
 * the state machine is quick and the apply thread idle, else its apply thread.
 */
public final class PontoonSystem implements RaftSystem {
  private static final ClusterId CLUSTER_ID = ClusterId.of("peer-bench");
  private static final Duration LEADER_WAIT = Duration.ofSeconds(30);
  /** {@code RaftServerBuilder.proposalLinger}: about one log sync on this benchmark's disk. */
  static final long LINGER_MICROS = 200;
  /** The system property choosing the log store: {@code segment} (the default) or {@code rocksdb}. */
  static final String LOG_STORE_PROPERTY = "pontoon.logStore";
  private static final boolean SEGMENT_LOG = logStoreIsSegment();

  private static boolean logStoreIsSegment() {
    String value = System.getProperty(LOG_STORE_PROPERTY, "segment");
    return switch (value) {
      case "rocksdb" -> false;
      case "segment" -> true;
      default -> throw new IllegalArgumentException("-D" + LOG_STORE_PROPERTY + " must be rocksdb or segment, not '"
          + value + "'");
    };
  }

  /** Applies an entry by adding its length to a counter, as every system in the harness does. */
  static final class CounterStateMachine implements StateMachine {
    final AtomicLong appliedBytes = new AtomicLong();

    @Override
    public Bytes apply(long index, Bytes command) {
      appliedBytes.addAndGet(command.size());
      return Bytes.EMPTY;
    }

    @Override
    public Bytes query(Bytes query) {
      return Bytes.EMPTY;
    }
  }

  private final List<RaftServer> servers = new ArrayList<>();
  private final List<CounterStateMachine> stateMachines = new ArrayList<>();
  private final Map<String, String> settings = new LinkedHashMap<>();
  private volatile RaftServer leader;

  @Override
  public String name() {
    return "pontoon-embedded";
  }

  @Override
  public String version() {
    return Versions.of(RaftServer.class, "dev.pontoon", "raft-engine");
  }

  @Override
  public String clientPath() {
    return "RaftServer.submit(Bytes) on the leader, in-process; future completed after commit and apply, where"
        + " the leader applies (the default, adaptive: its event loop while the state machine is quick and the"
        + " apply thread idle, else the apply thread)";
  }

  @Override
  public void start(Path dataRoot, int members, int maxOutstanding) throws Exception {
    List<NodeId> ids = new ArrayList<>();
    Map<NodeId, InetSocketAddress> addresses = new LinkedHashMap<>();
    for (int i = 0; i < members; i++) {
      NodeId id = NodeId.of("n" + i);
      ids.add(id);
      addresses.put(id, new InetSocketAddress("127.0.0.1", LoopbackPorts.takeOne()));
    }
    ClusterConfig cluster = ClusterConfig.ofVoters(ids.stream().map(NodeId::value).toArray(String[]::new));
    for (NodeId id : ids) {
      Path dir = Files.createDirectories(dataRoot.resolve(id.value()));
      NettyTransportConfig transportConfig = NettyTransportConfig.builder(id, CLUSTER_ID)
          .listenAddress(addresses.get(id)).peers(addresses).ioThreads(1).build();
      RocksDbLogStoreConfig storeConfig = RocksDbLogStoreConfig.of(dir.resolve("log"), CLUSTER_ID, id);
      SegmentLogStoreConfig segmentConfig = SegmentLogStoreConfig.of(dir.resolve("log"), CLUSTER_ID, id);
      CounterStateMachine fsm = new CounterStateMachine();
      NettyTransport transport = new NettyTransport(transportConfig);
      LogStore store = SEGMENT_LOG ? SegmentLogStore.open(segmentConfig) : RocksDbLogStore.open(storeConfig);
      FileSnapshotStore snapshots = null;
      try {
        // A durable log needs a durable snapshot store beside it (the builder refuses the in-memory default).
        snapshots = FileSnapshotStore.open(dir.resolve("snapshots"));
        servers.add(RaftServer.builder().nodeId(id).cluster(cluster).transport(transport).logStore(store)
            .snapshotStore(snapshots).stateMachine(fsm).proposalLinger(Duration.ofNanos(LINGER_MICROS * 1000))
            .scheduler(NodeScheduler.eventLoopOn(transport.eventLoop())).build());
      } catch (RuntimeException e) {
        // A node that failed to build owns nothing yet: close what was opened for it.
        store.close();
        if (snapshots != null) {
          snapshots.close();
        }
        transport.close();
        throw e;
      }
      stateMachines.add(fsm);
      if (settings.isEmpty()) {
        recordSettings(transportConfig, storeConfig, segmentConfig);
      }
    }
    leader = awaitLeader(servers);
  }

  /** The first of {@code servers} found leading, polled until one leads (startup only, outside the measured window). */
  static RaftServer awaitLeader(List<RaftServer> servers) throws InterruptedException {
    long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (RaftServer s : servers) {
        if (s.status().role() == Role.LEADER) {
          return s;
        }
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IllegalStateException("no Pontoon leader within " + LEADER_WAIT);
  }

  private void recordSettings(NettyTransportConfig transport, RocksDbLogStoreConfig store,
      SegmentLogStoreConfig segments) {
    settings.put("transport", "NettyTransport (plain TCP, loopback), ioThreads=" + transport.ioThreads()
        + " per member (not the default, min(4, cores): one thread serves every connection, for the scheduler"
        + " below), maxFrameSize=" + transport.maxFrameSize());
    settings.put("scheduler", "NodeScheduler.eventLoopOn(transport.eventLoop()) (not the default, threads(): each"
        + " member's event loop runs on its transport's I/O thread, so a message changes threads neither when read"
        + " nor when sent; the sync, apply and tick threads are as by default)");
    if (SEGMENT_LOG) {
      settings.put("log_storage", "SegmentLogStore (-D" + LOG_STORE_PROPERTY + "=segment, the default), segmentBytes="
          + segments.segmentBytes() + " B, preallocated and zero-filled in the background");
      settings.put("sync_per_batch", "on (always: LogStore.sync() = one fdatasync of the active segment per"
          + " group-commit batch, before acks are sent and before the leader counts its own entries)");
    } else {
      settings.put("log_storage", "RocksDbLogStore (-D" + LOG_STORE_PROPERTY + "=rocksdb), writeBuffer=" + store.writeBufferBytes() + " B, maxTotalWal="
          + store.maxTotalWalBytes() + " B, compression=" + store.compression());
      settings.put("sync_per_batch", "on (always: LogStore.sync() = RocksDB flushWal(true) once per group-commit"
          + " batch, before acks are sent and before the leader counts its own entries)");
    }
    settings.put("snapshots", "none taken (snapshotEvery off); FileSnapshotStore beside the log, unused");
    settings.put("proposalLinger", LINGER_MICROS + " us (not the default, 0: the driver is a closed loop, for which"
        + " a leader that just answered writes holds the next ones until as many are back or the linger ends)");
    settings.put("applyOnEventLoop", "not set: adaptive (on the event loop while the state machine's last batch"
        + " took at most 200 us per task and the apply thread is idle, else on the apply thread)");
    putRuntimeDefaults(settings);
  }

  /** Pontoon's core and runtime defaults, every one of which both Pontoon systems leave unchanged. */
  static void putRuntimeDefaults(Map<String, String> settings) {
    RaftConfig core = RaftConfig.defaults();
    settings.put("tickInterval", RaftServerBuilder.DEFAULT_TICK_INTERVAL.toMillis() + " ms");
    settings.put("electionTimeoutTicks", "[" + core.electionTimeoutMinTicks() + ", " + core.electionTimeoutMaxTicks() + ")");
    settings.put("heartbeatTicks", String.valueOf(core.heartbeatTicks()));
    settings.put("preVote", String.valueOf(core.preVote()));
    settings.put("checkQuorum", String.valueOf(core.checkQuorum()));
    settings.put("maxInflightAppends", String.valueOf(core.maxInflightAppends()));
    settings.put("maxEntriesPerAppend", String.valueOf(core.maxEntriesPerAppend()));
    settings.put("maxBytesPerAppend", String.valueOf(core.maxBytesPerAppend()));
    settings.put("maxPendingProposals", String.valueOf(RaftServerBuilder.DEFAULT_MAX_PENDING_PROPOSALS));
    settings.put("maxPendingBytes", String.valueOf(RaftServerBuilder.DEFAULT_MAX_PENDING_BYTES));
    settings.put("proposalTimeout", RaftServerBuilder.DEFAULT_PROPOSAL_TIMEOUT.toMillis() + " ms");
    settings.put("first_leader", "elected (no bootstrapLeader)");
  }

  @Override
  public CompletableFuture<?> submit(byte[] payload) {
    // The driver never changes its payload array, so wrapping it without a copy is safe (as
    // jraft-embedded's ByteBuffer.wrap).
    return leader.submit(Bytes.wrap(payload));
  }

  @Override
  public long leaderAppliedBytes() {
    return leaderAppliedBytes(servers, stateMachines, leader);
  }

  /**
   * What the state machine of the server leading now (else of {@code lastLeader}) applied;
   * {@code stateMachines.get(i)} is {@code servers.get(i)}'s.
   */
  static long leaderAppliedBytes(List<RaftServer> servers, List<CounterStateMachine> stateMachines,
      RaftServer lastLeader) {
    for (int i = 0; i < servers.size(); i++) {
      if (servers.get(i).status().role() == Role.LEADER) {
        return stateMachines.get(i).appliedBytes.get();
      }
    }
    return stateMachines.get(servers.indexOf(lastLeader)).appliedBytes.get();
  }

  @Override
  public Map<String, String> settings() {
    return settings;
  }

  @Override
  public void close() {
    for (RaftServer s : servers) {
      s.close();
    }
  }
}
