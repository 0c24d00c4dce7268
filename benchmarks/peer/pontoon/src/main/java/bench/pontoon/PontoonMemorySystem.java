package bench.pontoon;

import bench.harness.RaftSystem;
import bench.harness.Versions;
import bench.pontoon.PontoonSystem.CounterStateMachine;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.runtime.NodeScheduler;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Pontoon in memory as a peer-bench system, {@code pontoon-memory}: three {@link RaftServer}s in
 * this JVM on one {@link InMemoryNetwork} (a message is handed to the target's queue as the same
 * object: no serialization, no socket) and {@link InMemoryLogStore}s (nothing reaches a disk; a
 * sync only marks the writes durable in memory), with the default in-memory snapshot store.
 *
 * <p>It is the counterpart of the peer bench's {@code microraft} system, which keeps MicroRaft's
 * log in memory and exchanges message objects: the same harness, job (C outstanding 128-byte
 * writes handed to the leader in-process, warm-up then measured window) and state machine (each
 * entry adds its length to a counter), so the two show what each library's algorithm, runtime and
 * threading cost, with disk and network taken away. It is not comparable with the durable,
 * networked systems ({@code pontoon-embedded}, {@code jraft-embedded}, ...). The log is never
 * compacted (no snapshots, as for {@code microraft}), so it grows in the heap for the whole run.
 *
 * <p>Three options are set as a user of an in-memory store and a quick state machine, with all
 * members in one JVM, would set them (MicroRaft runs each node on one thread):
 * {@code leaderWritesOnEventLoop(true)}, {@code applyOnEventLoop(true)} and the
 * {@link NodeScheduler#sharedLoopThreads(Duration)} scheduler, with which the leader's loop thread
 * runs its idle followers' batches instead of waking their threads, and an idle loop spins
 * {@link #IDLE_SPIN} for work before it parks, so that the driver's next writes reach the leader
 * without a wake-up. The rest is as {@link PontoonSystem}: every other option at its default,
 * listed in {@link #settings()}, and the first leader elected.
 *
 * <p><b>Threading.</b> {@link #start} and {@link #close} from one thread; {@link #submit} from
 * the driver's thread; futures complete on the leader's event loop.
 */
public final class PontoonMemorySystem implements RaftSystem {

  /** The system property that overrides {@link #IDLE_SPIN}, in nanoseconds (0: park at once). */
  static final String IDLE_SPIN_PROPERTY = "pontoon.idleSpinNanos";
  /** How long an idle event loop spins for work before it parks: a few thread hand-offs. */
  static final Duration IDLE_SPIN = Duration.ofNanos(Long.getLong(IDLE_SPIN_PROPERTY, 20_000));

  private final List<RaftServer> servers = new ArrayList<>();
  private final List<CounterStateMachine> stateMachines = new ArrayList<>();
  private final Map<String, String> settings = new LinkedHashMap<>();
  private volatile RaftServer leader;

  @Override
  public String name() {
    return "pontoon-memory";
  }

  @Override
  public String version() {
    return Versions.of(RaftServer.class, "dev.pontoon", "raft-engine");
  }

  @Override
  public String clientPath() {
    return "RaftServer.submit(Bytes) on the leader, in-process; future completed by the leader's"
        + " event loop after commit and apply (applyOnEventLoop)";
  }

  @Override
  public void start(Path dataRoot, int members, int maxOutstanding) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      ids.add("n" + i);
    }
    ClusterConfig cluster = ClusterConfig.ofVoters(ids.toArray(String[]::new));
    InMemoryNetwork network = new InMemoryNetwork();
    for (String name : ids) {
      NodeId id = NodeId.of(name);
      CounterStateMachine fsm = new CounterStateMachine();
      servers.add(RaftServer.builder().nodeId(id).cluster(cluster).transport(network.transport(id))
          .logStore(new InMemoryLogStore()).leaderWritesOnEventLoop(true).applyOnEventLoop(true)
          .scheduler(NodeScheduler.sharedLoopThreads(IDLE_SPIN)).stateMachine(fsm).build());
      stateMachines.add(fsm);
    }
    settings.put("transport", "InMemoryNetwork (the message object handed to the target's queue; no serialization,"
        + " no socket)");
    settings.put("log_storage", "InMemoryLogStore (nothing persisted; sync() marks the writes durable in memory)");
    settings.put("sync_per_batch", "LogStore.sync() once per group-commit batch, as with a durable store, but no disk");
    settings.put("snapshots", "none taken (snapshotEvery off); InMemorySnapshotStore, unused");
    settings.put("leaderWritesOnEventLoop", "true (a sync that costs nothing needs no thread of its own; followers"
        + " always write on their loop)");
    settings.put("applyOnEventLoop", "true (the counter state machine applies in nanoseconds: no apply thread)");
    settings.put("scheduler", "NodeScheduler.sharedLoopThreads(" + IDLE_SPIN.toNanos() / 1000.0 + " µs) (a member's"
        + " loop thread runs an idle member's next batch itself instead of waking its thread; an idle loop spins that"
        + " long for work before it parks; -D" + IDLE_SPIN_PROPERTY + "=N to change)");
    PontoonSystem.putRuntimeDefaults(settings);
    leader = PontoonSystem.awaitLeader(servers);
  }

  @Override
  public CompletableFuture<?> submit(byte[] payload) {
    // The driver never changes its payload array, so wrapping it without a copy is safe.
    return leader.submit(Bytes.wrap(payload));
  }

  @Override
  public long leaderAppliedBytes() {
    return PontoonSystem.leaderAppliedBytes(servers, stateMachines, leader);
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
