package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.engine.ReadMode;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.engine.runtime.NodeRuntime;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.LogReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A simulated node that runs the production runtime: a {@link RaftServer} built by the same
 * builder a host uses, recovered by the same code at every start, its event loop, sync, apply
 * and snapshot workers run by a {@link SimScheduler}, its disk a {@link CheckedLogStore} and its
 * snapshot store an in-memory one that outlives crashes (a save is atomic: a crash leaves it
 * whole or not at all). Clients talk to it through {@code submit}, {@code read} and
 * {@code transferLeadership} and get futures, as a host's callers do.
 *
 * <p>A crash stops every queue of the incarnation where it stands — between any two tasks, so
 * also between a snapshot's save and the log truncation that follows it — and keeps what the
 * disk may keep. Nothing is closed: a crashed process closes nothing. An armed crash
 * ({@link #armCrash}) falls instead at a write, a sync or a snapshot commit inside a task or
 * inside recovery: the node dies there, a {@link SimulatedCrash} unwinds what the task had left,
 * and the stores of the dead incarnation refuse every later call.
 */
final class RuntimeNode implements SimulatedNode {

  /** Length of one tick of a node's own clock. */
  static final Duration TICK = Duration.ofMillis(VirtualClock.UNITS_PER_TICK * SimScheduler.NANOS_PER_UNIT / 1_000_000);

  private final int index;
  private final NodeId id;
  private final Simulation sim;
  private final ClusterConfig config;
  private final RaftConfig raftConfig;
  private final RuntimeSettings settings;
  private final CheckedLogStore disk;
  private final InMemorySnapshotStore snapshots;
  /** The snapshot store as the current incarnation sees it. */
  private CrashPointSnapshotStore snapshotView;
  /** Client operations this incarnation accepted and has not answered: true for writes. */
  private final Map<Long, Boolean> outstanding = new LinkedHashMap<>();
  private int incarnation;
  private SimScheduler scheduler;
  private SimEndpoints endpoints;
  private TrackedStateMachine stateMachine;
  private RaftServer server;
  private Throwable startFailure;
  private CompletableFuture<Bytes> probe;
  private double tickDebt;
  /** Crash points (writes, syncs, snapshot commits) to pass before an armed crash; -1 when none is armed. */
  private int crashCountdown = -1;
  /**
   * The futures this incarnation handed out (submit, read, changeMembership, the liveness probe)
   * and not yet seen done; a crash forgets them (a dead process's callers died with it), a close
   * must have completed every one ({@link #closeAndListIncomplete}).
   */
  private final List<HandedOut> handedOut = new ArrayList<>();
  /** Whether this incarnation is being closed for the check: its futures' answers no longer reach the clients. */
  private boolean closing;

  /** A future handed out, what it was for and when. */
  private record HandedOut(String what, long at, CompletableFuture<?> future) {}

  /** @param config the initial configuration, or null for a spare node that starts {@code joining()} */
  RuntimeNode(int index, Simulation sim, ClusterConfig config, RaftConfig raftConfig, RuntimeSettings settings) {
    this.index = index;
    this.id = NodeId.of("n" + (index + 1));
    this.sim = sim;
    this.config = config;
    this.raftConfig = raftConfig;
    this.settings = settings;
    this.disk = new CheckedLogStore(id, sim.invariants(), sim.sabotage() == Sabotage.LYING_SYNC);
    this.snapshots = settings.snapshotsKept() > 0 ? InMemorySnapshotStore.pruning(settings.snapshotsKept())
        : new InMemorySnapshotStore();
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public NodeId id() {
    return id;
  }

  @Override
  public boolean isUp() {
    return server != null;
  }

  @Override
  public int incarnation() {
    return incarnation;
  }

  @Override
  public RaftCore core() {
    return server == null ? null : runtime().core();
  }

  @Override
  public LogReader log() {
    return core().logView();
  }

  @Override
  public Throwable fatalFailure() {
    if (startFailure != null) {
      return startFailure;
    }
    return server == null ? null : runtime().failure();
  }

  private NodeRuntime runtime() {
    return scheduler.runtime();
  }

  /** Starts through the builder, exactly as a host restarts a node on its stores. */
  @Override
  public void start(RandomGenerator random) {
    scheduler = new SimScheduler(sim, this, settings.clockRates().get(index), settings.batchCap());
    endpoints = new SimEndpoints(sim);
    stateMachine = new TrackedStateMachine(sim, id, sim.newStateMachine(), true);
    snapshotView = new CrashPointSnapshotStore(snapshots, this::reached, incarnation, sim.snapshotReads(),
        sim.sabotage() == Sabotage.SNAPSHOT_READERS_IGNORED);
    RaftServerBuilder builder = RaftServer.builder().nodeId(id).transport(endpoints)
        .logStore(new CrashPointLogStore(disk, this::reached, incarnation))
        .snapshotStore(snapshotView).stateMachine(stateMachine)
        .raftConfig(raftConfig).tickInterval(TICK)
        .tickSource(endpoints).scheduler(scheduler).randomSeed(random.nextLong())
        .proposalTimeout(TICK.multipliedBy(settings.proposalTimeoutTicks()));
    if (config != null) {
      builder.cluster(config);
    } else {
      builder.joining(); // a spare node: it waits to be added (its stores hold its configuration once it was)
    }
    if (settings.bootstrapLeader() != null && config != null) {
      builder.bootstrapLeader(settings.bootstrapLeader());
    }
    if (settings.leaseReads()) {
      builder.readMode(ReadMode.LEASE).clockDriftBound(settings.clockDriftBound());
    }
    if (settings.snapshotEvery() > 0) {
      builder.snapshotEvery(settings.snapshotEvery());
    }
    builder.snapshotChunkBytes(settings.snapshotChunkBytes()).snapshotChunksInFlight(settings.snapshotChunksInFlight())
        .logRetainEntries(settings.logRetainEntries()).leaderWritesOnEventLoop(settings.leaderWritesOnLoop())
        .proposalLinger(settings.proposalLinger());
    switch (settings.applyPlacement()) {
      case EVENT_LOOP -> builder.applyOnEventLoop(true);
      case APPLY_THREAD -> builder.applyOnEventLoop(false);
      case ADAPTIVE -> { } // the builder's default
    }
    try {
      server = builder.build();
    } catch (SimulatedCrash e) {
      // Died inside recovery: down until its restart, like any crashed node. (The runtime rethrows
      // what recovery threw as it is; were it ever wrapped, the start failure below would report it.)
    } catch (RuntimeException e) {
      startFailure = e;
      scheduler.kill();
    }
  }

  /**
   * Arms a crash at the {@code pointsFromNow}-th write, sync or snapshot commit from now (0: the
   * next), wherever it falls: inside the event loop, the sync or snapshot worker, or recovery.
   */
  void armCrash(int pointsFromNow) {
    crashCountdown = pointsFromNow;
  }

  /** Whether an armed crash has not fallen yet. */
  boolean crashArmed() {
    return crashCountdown >= 0;
  }

  /** {@link CrashPointLogStore.CrashPoints} of this node's stores. */
  private void reached(int caller, Supplier<String> what) {
    if (caller != incarnation) {
      throw new SimulatedCrash(id + " incarnation " + caller + " is dead");
    }
    if (what == null || crashCountdown < 0 || crashCountdown-- > 0) {
      return;
    }
    String where = what.get();
    sim.crashInside(this, where);
    throw new SimulatedCrash(id + " crashed at " + where);
  }

  @Override
  public String unpersisted(RaftMessage m) {
    return disk.unpersisted(m, snapshotIndex());
  }

  @Override
  public boolean holdsDurably(long index, long term) {
    return disk.holdsDurably(index, term, snapshotIndex());
  }

  /** Last index of the newest snapshot the node's snapshot store keeps (durably), 0 if none. */
  private long snapshotIndex() {
    return snapshots.newest().map(s -> s.meta().lastIncludedIndex()).orElse(0L);
  }

  @Override
  public void crash(boolean forgetHardState) {
    if (scheduler != null) {
      scheduler.kill();
      endpoints.kill();
      snapshotView.processDied();
    }
    int keptInCache = disk.crash(sim.random(), snapshotIndex(), forgetHardState, sim.hasProcessFaults());
    if (keptInCache > 0) {
      sim.keptInCache(id, keptInCache);
    }
    crashCountdown = -1;
    server = null;
    stateMachine = null;
    probe = null;
    handedOut.clear();
    closing = false;
    incarnation++;
    // The connections to this process broke: writes in flight have an unknown outcome, reads are retried.
    List<Map.Entry<Long, Boolean>> lost = new ArrayList<>(outstanding.entrySet());
    outstanding.clear();
    for (Map.Entry<Long, Boolean> op : lost) {
      if (op.getValue()) {
        sim.clients().unknown(op.getKey());
      } else {
        sim.clients().notLeader(op.getKey(), null, id + " crashed (a read)");
      }
    }
  }

  @Override
  public long nextTickDelay() {
    // A clock running at rate r ticks every UNITS_PER_TICK / r units of virtual time.
    double period = VirtualClock.UNITS_PER_TICK / settings.clockRates().get(index) + tickDebt;
    long delay = (long) period;
    tickDebt = period - delay;
    return delay;
  }

  @Override
  public void tick() {
    endpoints.fireTick();
  }

  @Override
  public void deliver(RaftMessage message) {
    endpoints.deliver(message);
  }

  @Override
  public void submitCommand(long opId, Bytes command) {
    if (sim.sabotage() == Sabotage.NOT_LEADER_AFTER_APPEND && core().role() == Role.LEADER) {
      server.submit(Envelope.wrap(opId, command)); // appended (queued to the leader's loop) ...
      sim.clients().notLeader(opId, null, id + ": NotLeaderException after appending (sabotage)"); // ... yet "not appended"
      return;
    }
    outstanding.put(opId, true);
    int inc = incarnation;
    CompletableFuture<Bytes> submitted = server.submit(Envelope.wrap(opId, command));
    if (sim.sabotage() == Sabotage.DROPPED_FUTURE && sim.random().nextInt(4) == 0) {
      submitted = new CompletableFuture<>(); // the runtime loses track of it: nobody will complete it
    }
    handOut("submit of operation #" + opId, submitted).whenComplete((result, error) -> {
      if (inc != incarnation || closing || outstanding.remove(opId) == null) {
        return;
      }
      if (error == null) {
        sim.clients().completed(opId, result);
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof NotLeaderException n) {
        // Nothing appended, or another entry won the index: the command never took effect.
        sim.clients().notLeader(opId, n.leaderHint().orElse(null), id + ": " + n);
      } else if (!(cause instanceof RaftException raft) || raft.mayStillCommit()) {
        // Indeterminate, a stop with the command in flight, or a failure outside the contract.
        sim.clients().unknown(opId);
      } else {
        // Overloaded, a stop before the command was appended and the like: nothing appended; try
        // again (were the answer wrong, the command could apply twice, which the checks catch).
        sim.clients().notLeader(opId, null, id + ": " + cause);
      }
    });
  }

  @Override
  public void submitRead(long opId, Bytes query, boolean sabotage) {
    if (sabotage) {
      // The local state, without any Raft round: stale on a deposed leader or a lagging follower.
      sim.clients().completed(opId, stateMachine.query(query));
      return;
    }
    outstanding.put(opId, false);
    int inc = incarnation;
    handOut("read of operation #" + opId, server.read(query)).whenComplete((value, error) -> {
      if (inc != incarnation || closing || outstanding.remove(opId) == null) {
        return;
      }
      if (error == null) {
        sim.clients().completed(opId, value);
      } else {
        // A read that failed changed nothing: retry, on the hinted leader if there is one.
        Throwable cause = unwrap(error);
        sim.clients().notLeader(opId, cause instanceof NotLeaderException n ? n.leaderHint().orElse(null) : null,
            id + ": " + cause);
      }
    });
  }

  @Override
  public void changeMembership(List<MemberChange> changes, BiConsumer<String, Boolean> outcome) {
    int inc = incarnation;
    handOut("changeMembership " + changes, server.changeMembership(changes)).whenComplete((config, error) -> {
      if (inc == incarnation && !closing) {
        outcome.accept(error == null ? "membership change " + changes + " committed: " + config
            : "membership change " + changes + " failed: " + unwrap(error), error == null);
      }
    });
  }

  @Override
  public void transferLeadership(NodeId target) {
    server.transferLeadership(target);
  }

  /** The runtime compacts on its own schedule ({@code snapshotEvery}); fault points do not force it. */
  @Override
  public void compact() {}

  @Override
  public void proposeProbe(long attempt) {
    int inc = incarnation;
    probe = handOut("submit of the liveness probe", server.submit(Envelope.wrap(Envelope.PROBE,
        Bytes.ofUtf8("probe " + attempt))));
    probe.whenComplete((result, error) -> {
      if (error == null && inc == incarnation) {
        sim.probeCommitted();
      }
    });
  }

  @Override
  public boolean probeInFlight() {
    return probe != null && !probe.isDone();
  }

  private <T> CompletableFuture<T> handOut(String what, CompletableFuture<T> future) {
    if (handedOut.size() >= 256) {
      handedOut.removeIf(h -> h.future().isDone());
    }
    handedOut.add(new HandedOut(what, sim.now(), future));
    return future;
  }

  /**
   * Closes this incarnation as a host does ({@code RaftServer.close()}), the stop run at once, and
   * returns what each future it handed out and the stop left incomplete was for: {@code close()}
   * fails every pending request, so any such future would never complete (a request the runtime
   * lost). Nothing of the stop reaches the rest of the run: no message leaves, the answers do not
   * reach the clients, and nothing is drawn from the seed's generator, so that a crash right after
   * (or nothing, at the end of a run) goes on exactly as without the check. A node down, or stopped
   * by a failure of its own, has nothing to close.
   */
  @Override
  public List<String> closeAndListIncomplete() {
    if (server == null || scheduler.runtime().failure() != null) {
      return List.of();
    }
    crashCountdown = -1;
    closing = true;
    endpoints.kill();
    scheduler.holdNextDetached();
    server.close();
    Runnable stop = scheduler.takeHeld();
    if (stop != null) {
      stop.run();
    }
    List<String> incomplete = new ArrayList<>();
    for (HandedOut h : handedOut) {
      if (!h.future().isDone()) {
        incomplete.add(h.what() + ", handed out at t=" + h.at());
      }
    }
    if (!server.whenStopped().isDone()) {
      incomplete.add("whenStopped() after close()");
    }
    return incomplete;
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
