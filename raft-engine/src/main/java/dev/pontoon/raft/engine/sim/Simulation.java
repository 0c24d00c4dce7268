package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.Proposal;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.linearizability.CheckResult;
import dev.pontoon.raft.engine.linearizability.Operation;
import dev.pontoon.raft.engine.sim.Event.Kind;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.statemachine.StateMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A whole Raft cluster in one thread: nodes over a {@link SimulatedNetwork}, clients, crashes and
 * restarts, on a {@link VirtualClock}, every random choice drawn from one generator seeded with
 * the run's seed — so a seed replays exactly.
 *
 * <p>Two modes. {@link Mode#RUNTIME} (the default) runs the production runtime on every node
 * ({@link RuntimeNode}): the builder, recovery, event loop, group-commit sync worker, apply and
 * snapshot workers, lease and pending-request logic a host runs, each of their queues scheduled
 * by the seed. {@link Mode#CORE} drives bare cores ({@link SimNode}) the way the runtime's
 * contract says, which is faster and isolates the algorithm.
 *
 * <p>A run has two phases. In the main phase the seed's {@link FaultPlan} loses, duplicates,
 * delays and partitions messages, crashes nodes, compacts logs and moves leadership, while
 * clients read and write; the safety checkers run after every event. In the final phase the
 * network heals, every node crashes and restarts from its durable state, and clients stop;
 * within {@link #LIVENESS_TICKS} a leader must be elected and commit a new entry. Last, the
 * client history must be linearizable.
 *
 * <p>Every application of every client operation, on every node and every replay, is recorded:
 * an operation applied at two log indexes fails the run ({@link Violation.AppliedTwice}), since
 * the clients resend an operation only after answers that promise nothing was appended (see
 * {@link SimClients}).
 *
 * <p>Each node whose process is alive before the final phase's crash, and each at the very end,
 * is first closed as a host closes it ({@link SimulatedNode#closeAndListIncomplete}, which leaves
 * the run unchanged): every future it handed out must then be complete, or the run fails with
 * {@link Violation.FutureNeverCompleted}; a client's timeout would hide such a future otherwise.
 *
 * <p><b>Membership changes</b> (when asked for): the cluster starts with its
 * voters and {@link #SPARE_NODES} spare nodes started with {@code joining()}; at fault points the
 * leader is asked to grow, shrink or replace members, add and promote learners or remove itself
 * (see {@link #changeMembership()}), sometimes followed by a crash of that leader, mixed with
 * every other fault. Election Safety is checked across configurations (one leader per term among
 * all nodes, whatever each believes the configuration to be).
 *
 * <p>What the clients do, which state machine the nodes run and which model judges the history
 * is a {@link Workload}: the simulator's own key-value clients by default, or a user's state
 * machine ({@link StateMachineSimulation}).
 */
final class Simulation {
  /** What runs on each simulated node. */
  enum Mode {
    /** The production runtime ({@code RaftServer} and its workers) on the simulator's scheduler. */
    RUNTIME,
    /** A bare {@code RaftCore} driven per the {@code Ready} contract. */
    CORE,
    /**
     * The production runtime with snapshot-heavy settings: a snapshot every few entries, streamed
     * in pieces of a few bytes, so that transfers meet every fault (loss, duplication,
     * reordering, leader changes, crashes) in the middle; each node's snapshot store prunes as a
     * store on disk does, keeping 1 or 2 snapshots, so that a snapshot being sent stays readable
     * only as far as {@code SnapshotStore}'s reader rules promise.
     */
    RUNTIME_SNAPSHOTS,
    /**
     * The production runtime with {@code leaderWritesOnEventLoop(true)} and {@code
     * applyOnEventLoop(true)}: leaders, too, write their log, and every node applies, on the
     * event loop (the settings for an in-memory store and a quick state machine).
     */
    RUNTIME_ON_LOOP
  }

  /** Pieces of streamed snapshots sent (not whole one-message snapshots). */
  private long snapshotPieces;
  /** Snapshot installs acknowledged by followers. */
  private long snapshotsAcknowledged;
  /** Opens of snapshots older than their store's newest that succeeded, and opens refused. */
  private long olderSnapshotsOpened;
  private long snapshotOpensRefused;
  private final CrashPointSnapshotStore.Reads snapshotReads = new CrashPointSnapshotStore.Reads() {
    @Override
    public void olderOpened() {
      olderSnapshotsOpened++;
    }

    @Override
    public void refused() {
      snapshotOpensRefused++;
      note("a snapshot store refused to open a pruned snapshot");
    }
  };

  /** Ticks between fault points. */
  static final int FAULT_INTERVAL_TICKS = 5;
  /**
   * Ticks the healed cluster has to elect a leader and commit an entry. 400: a membership run may
   * have shrunk the configuration so that the leader's quorum needs a follower that must first
   * catch up through a snapshot streamed in pieces of a byte or two, hundreds of round trips
   * (seeds 6300642 and 6303671 with membership changes committed 200-300 ticks after healing,
   * and failed the former 200). A real stall never commits, however long the window.
   */
  static final int LIVENESS_TICKS = 400;
  /** Spare nodes a run with membership changes starts outside the configuration. */
  static final int SPARE_NODES = 2;
  /** Probability, at each fault point, that the leader is asked for a membership change. */
  static final double MEMBERSHIP_RATE = 0.2;
  /** Events a failing seed prints; {@code -Dpontoon.sim.trace=N} keeps more when studying one seed. */
  private static final int TRACE_LENGTH = Integer.getInteger("pontoon.sim.trace", 200);
  private static final long UNIT = VirtualClock.UNITS_PER_TICK;

  private final long seed;
  private final int requestedNodes;
  private final SplittableRandom random;
  private final VirtualClock clock = new VirtualClock();
  private final PriorityQueue<Event> queue = new PriorityQueue<>();
  private final Mode mode;
  private final SimulatedNode[] nodes;
  /** How the runtime is set up; null in {@link Mode#CORE}. */
  private final RuntimeSettings settings;
  private final boolean[] failureReported;
  private final FaultPlan plan;
  /** The plan in force: {@link #plan} in the main phase, its healed form in the final one. */
  private FaultPlan current;
  private final RaftConfig raftConfig;
  private final SimulatedNetwork network;
  private final SimClients<?, ?> clients;
  /** Whether the workload's state machine supports snapshots; without them no node compacts. */
  private final boolean snapshotsSupported;
  /** How to replay this run, for the report. */
  private final String replay;
  private final Function<RandomGenerator, ? extends Workload<?, ?>> workloadFactory;
  /** Whether this run replays another to show the events up to where its history fails. */
  private boolean tracingAFailure;
  private final Invariants invariants;
  private final Trace trace = new Trace(TRACE_LENGTH);
  private final Sabotage sabotage;
  private final Map<Long, SettledHistory.Applied> firstApplied = new HashMap<>();
  /** Per client operation, the node and log index of its first application (every later one must be at that index). */
  private final Map<Long, AppliedAt> appliedAt = new HashMap<>();
  private final java.util.Set<Long> appliedTwiceReported = new java.util.HashSet<>();
  private long seq;
  /** Whether the leader is asked for membership changes at fault points. */
  private final boolean membership;
  /** Crashes inside work and in recovery, and process pauses; null when the run does not ask for them. */
  private final ProcessFaults processFaults;
  /** Per node, the virtual time before which its process is paused (its tasks wait). */
  private final long[] pausedUntil;
  private final CommitOnDurableMajority commitCheck;
  /** Whether messages and commits are checked against what nodes hold durably (off only to test the other checkers). */
  private boolean durabilityChecks = true;
  private int crashesInsideWork;
  private int crashesInRecovery;
  private int crashesKeepingCache;
  private int pauses;
  /** Membership changes committed in this run. */
  private int membershipChanges;
  private boolean finalPhase;
  private boolean probeCommitted;

  /**
   * @param seed the run's only source of randomness
   * @param size 3 or 5 nodes, or 0 to let the seed choose 3 to 5
   * @param sabotage {@link Sabotage#NONE} except in tests proving the checkers can fail
   */
  Simulation(long seed, int size, Sabotage sabotage) {
    this(seed, size, sabotage, Mode.RUNTIME);
  }

  /**
   * @param seed the run's only source of randomness
   * @param size 3 or 5 nodes, or 0 to let the seed choose 3 to 5
   * @param sabotage {@link Sabotage#NONE} except in tests proving the checkers can fail
   * @param mode the production runtime on every node, or bare cores
   */
  Simulation(long seed, int size, Sabotage sabotage, Mode mode) {
    this(seed, size, sabotage, mode, KvWorkload::draw, null);
  }

  /**
   * @param seed the run's only source of randomness
   * @param size 3 or 5 nodes, or 0 to let the seed choose 3 to 5
   * @param sabotage {@link Sabotage#NONE} except in tests proving the checkers can fail
   * @param mode the production runtime on every node, or bare cores
   * @param workload makes the run's workload, drawing what it needs from the run's generator
   * @param replay how to replay this seed, for the report; null for the {@code pontoon-simulate} line
   */
  Simulation(long seed, int size, Sabotage sabotage, Mode mode,
      Function<RandomGenerator, ? extends Workload<?, ?>> workload, String replay) {
    this(seed, size, sabotage, mode, workload, replay, false);
  }

  /**
   * As above; {@code membership} adds {@link #SPARE_NODES} spare nodes and random membership
   * changes (on bare cores an added voter is not caught up as a learner first: that is the
   * runtime's part). Without it a seed runs exactly as it always did.
   */
  Simulation(long seed, int size, Sabotage sabotage, Mode mode,
      Function<RandomGenerator, ? extends Workload<?, ?>> workload, String replay, boolean membership) {
    this(seed, size, sabotage, mode, workload, replay, membership, false);
  }

  /**
   * As above; {@code processFaults} (production runtime modes only) lets crashes fall inside a
   * node's work and its recovery, and pauses processes (see {@link ProcessFaults}). Without it a
   * seed runs exactly as it always did.
   */
  Simulation(long seed, int size, Sabotage sabotage, Mode mode,
      Function<RandomGenerator, ? extends Workload<?, ?>> workload, String replay, boolean membership,
      boolean processFaults) {
    if (processFaults && mode == Mode.CORE) {
      throw new IllegalArgumentException("process faults need the production runtime; bare cores have no process");
    }
    this.membership = membership;
    this.seed = seed;
    this.mode = mode;
    this.requestedNodes = size;
    this.random = new SplittableRandom(seed);
    this.sabotage = sabotage;
    int voters = size == 0 ? random.nextInt(3, 6) : size;
    int n = voters + (membership ? SPARE_NODES : 0);
    this.plan = FaultPlan.draw(random);
    this.current = plan;
    this.network = new SimulatedNetwork(n, plan, random);
    this.invariants = new Invariants(n);
    this.nodes = new SimulatedNode[n];
    this.failureReported = new boolean[n];
    TreeSet<NodeId> ids = new TreeSet<>();
    for (int i = 0; i < voters; i++) {
      ids.add(NodeId.of("n" + (i + 1)));
    }
    ClusterConfig config = ClusterConfig.ofVoters(ids);
    this.raftConfig = drawRaftConfig();
    RuntimeSettings drawn = mode == Mode.CORE ? null
        : RuntimeSettings.draw(random, List.copyOf(ids), n, raftConfig, mode == Mode.RUNTIME_SNAPSHOTS);
    int clientCount = random.nextInt(3, 6);
    this.clients = new SimClients<>(this, clientCount, workload.apply(random), random);
    this.snapshotsSupported = supportsSnapshots(clients.workload().newStateMachine());
    RuntimeSettings usable = drawn == null || snapshotsSupported ? drawn : drawn.withoutSnapshots();
    this.settings = mode == Mode.RUNTIME_ON_LOOP ? usable.withWorkOnLoop() : usable;
    this.replay = replay != null || (!membership && !processFaults) ? replay : "pontoon-simulate --seeds 1 --first-seed "
        + seed + " --nodes " + (size == 0 ? "mixed" : Integer.toString(size)) + " --mode "
        + mode.name().toLowerCase(java.util.Locale.ROOT) + " --membership " + (membership ? "on" : "off")
        + (processFaults ? " --process-faults on" : "");
    this.workloadFactory = workload;
    for (int i = 0; i < n; i++) {
      nodes[i] = mode == Mode.CORE ? new SimNode(i, this, i < voters ? config : null, raftConfig)
          : new RuntimeNode(i, this, i < voters ? config : null, raftConfig, settings);
    }
    // Drawn last, and only when asked for, so that every other seed draws as it always did.
    this.processFaults = processFaults ? ProcessFaults.draw(random) : null;
    this.pausedUntil = new long[n];
    this.commitCheck = new CommitOnDurableMajority(n);
  }

  /** Whether {@code stateMachine} captures snapshots (the {@code StateMachine} default refuses). */
  private static boolean supportsSnapshots(StateMachine stateMachine) {
    try {
      stateMachine.captureSnapshot();
      return true;
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * The seed's core settings: PreVote and CheckQuorum on or off, and flow control from
   * stop-and-wait to deep pipelines, so that every path of the core gets exercised.
   */
  private RaftConfig drawRaftConfig() {
    int[] inflight = {1, 4, 256};
    int[] batch = {1, 3, 1024};
    boolean preVote = random.nextInt(4) != 0;
    boolean checkQuorum = random.nextInt(4) != 0;
    if (membership && !preVote && !checkQuorum) {
      // With both off nothing keeps a node removed by an entry it never received from deposing
      // each new leader (thesis §4.2.3; RaftConfig's Javadoc): such a run can lose liveness by
      // design, so membership runs keep PreVote on. Drawn first, so that other seeds run as before.
      preVote = true;
    }
    return RaftConfig.defaults().withPreVote(preVote).withCheckQuorum(checkQuorum)
        .withMaxInflightAppends(inflight[random.nextInt(3)]).withMaxEntriesPerAppend(batch[random.nextInt(3)]);
  }

  /** Runs the seed on the production runtime with at least {@code events} events in the main phase. */
  static SimulationResult run(long seed, int size, long events) {
    return run(seed, size, events, Mode.RUNTIME);
  }

  /** Runs the seed in {@code mode} with at least {@code events} events in the main phase. */
  static SimulationResult run(long seed, int size, long events, Mode mode) {
    return new Simulation(seed, size, Sabotage.NONE, mode).run(events);
  }

  /** Runs the seed on the production runtime with random membership changes. */
  static SimulationResult runWithMembershipChanges(long seed, int size, long events) {
    return runWithMembershipChanges(seed, size, events, Mode.RUNTIME);
  }

  /** Runs the seed in {@code mode} with random membership changes. */
  static SimulationResult runWithMembershipChanges(long seed, int size, long events, Mode mode) {
    return new Simulation(seed, size, Sabotage.NONE, mode, KvWorkload::draw, null, true).run(events);
  }

  /**
   * Runs the seed in {@code mode} (a production runtime mode) with crashes inside work and
   * recovery and process pauses, and random membership changes if asked.
   */
  static SimulationResult runWithProcessFaults(long seed, int size, long events, Mode mode, boolean membership) {
    return new Simulation(seed, size, Sabotage.NONE, mode, KvWorkload::draw, null, membership, true).run(events);
  }

  SimulationResult run(long events) {
    for (SimulatedNode node : nodes) {
      maybeArmRecoveryCrash(node); // at the first start, recovery bootstraps: the vote, the first entry
      startNode(node);
    }
    for (int c = 0; c < clients.count(); c++) {
      scheduleClientInvoke(c, random.nextInt(3 * (int) UNIT));
    }
    schedule(FAULT_INTERVAL_TICKS * UNIT, Kind.FAULT, 0, null, 0);
    if (settings != null && random.nextBoolean()) {
      // A crash in the first ticks, before the first syncs land, when a bootstrap leader writes
      // its first entries: most of a run's crashes come much later.
      int victim = settings.bootstrapLeader() != null && random.nextBoolean()
          ? indexOf(settings.bootstrapLeader()) : random.nextInt(nodes.length);
      schedule(random.nextLong(1, 8 * UNIT), Kind.CRASH, victim, null, nodes[victim].incarnation());
    }
    while (trace.count() < events && invariants.violations().isEmpty() && !queue.isEmpty()) {
      step();
    }
    if (invariants.violations().isEmpty()) {
      runFinalPhase();
    }
    List<Violation> violations = new ArrayList<>(invariants.violations());
    CheckResult<?, ?> check = null;
    String lastEvents = trace.render();
    Supplier<String> shownEvents = () -> lastEvents;
    if (violations.isEmpty()) {
      check = clients.check(firstApplied, probeCommitted);
      violations.addAll(linearizabilityViolations(check));
      Violation.NotLinearizable failure = (Violation.NotLinearizable) violations.stream()
          .filter(v -> v instanceof Violation.NotLinearizable).findFirst().orElse(null);
      if (failure != null && !tracingAFailure) {
        shownEvents = () -> eventsUpToTheFailure(failure, events);
      }
    }
    return new SimulationResult(seed, requestedNodes, mode, nodes.length, plan, raftConfig,
        (settings == null ? "bare cores" : settings.toString()) + (snapshotsSupported ? ""
            : "; no snapshots (the state machine does not support them)")
            + (membership ? "; membership changes, " + membershipChanges + " committed" : "")
            + (processFaults == null ? "" : "; " + processFaults + " (struck: " + crashesInsideWork
                + " crashes inside work, " + crashesInRecovery + " inside recovery, " + pauses + " pauses, "
                + crashesKeepingCache + " crashes left unsynced writes in the cache)"),
        membershipChanges,
        trace.count(), clients.history().operations(), violations, check, trace.hash(), shownEvents,
        clients.timeline("seed " + seed + ": the clients' history as the cluster settled it"), replay,
        snapshotPieces, snapshotsAcknowledged,
        new SimulationResult.ProcessFaultsSeen(crashesInsideWork, crashesInRecovery, pauses, crashesKeepingCache),
        new SimulationResult.SnapshotReadsSeen(olderSnapshotsOpened, snapshotOpensRefused));
  }

  /**
   * The events that led to the response where linearization fails. A history is checked at the
   * end of the run, long after those events left the trace, so the seed runs again — it replays
   * exactly — keeping only the events up to that response. Done when the report is first read.
   */
  private String eventsUpToTheFailure(Violation.NotLinearizable failure, long events) {
    long until = failure.partition().failedAtTime().orElseThrow(); // a NotLinearizable partition has one
    Simulation again = new Simulation(seed, requestedNodes, sabotage, mode, workloadFactory, replay, membership,
        processFaults != null);
    again.tracingAFailure = true;
    again.trace.keepUntil(until);
    SimulationResult replayed = again.run(events);
    String header = "  (the seed run again, up to t=" + until + ", the response of #" + failure.partition().failedAt()
        .id() + " where linearization fails" + (replayed.traceHash() == trace.hash() ? ")"
        : "; but the run did not replay exactly: something in it is not deterministic)") + "\n";
    return header + replayed.trace();
  }

  /** One violation per partition that {@code result} does not prove linearizable. */
  static List<Violation> linearizabilityViolations(CheckResult<?, ?> result) {
    List<Violation> found = new ArrayList<>();
    for (CheckResult.Partition<?, ?> p : result.failures()) {
      found.add(p.verdict() == CheckResult.Verdict.NOT_LINEARIZABLE ? new Violation.NotLinearizable(p)
          : new Violation.CheckerGaveUp(p));
    }
    return found;
  }

  private void runFinalPhase() {
    finalPhase = true;
    current = plan.healed();
    network.setPlan(current);
    network.heal();
    note("final phase: network healed, every node crashes and restarts from its durable state, clients stop");
    for (SimulatedNode node : nodes) {
      if (node.isUp()) {
        // Closed first, for the check alone (the run goes on as if it had crashed at once).
        reportIncompleteFutures(node, "closed before the final phase's crash");
        crash(node);
      }
      startNode(node);
    }
    clients.stop();
    long deadline = clock.now() + LIVENESS_TICKS * UNIT;
    while (clock.now() <= deadline && invariants.violations().isEmpty() && !queue.isEmpty()
        && !(probeCommitted && clients.allIdle())) {
      step();
    }
    if (!probeCommitted && invariants.violations().isEmpty()) {
      StringBuilder roles = new StringBuilder();
      for (SimulatedNode n : nodes) {
        roles.append(' ').append(n.isUp() ? n.core() : n.id() + "[down]");
      }
      invariants.report(new Violation.NoProgress("no new entry committed within " + LIVENESS_TICKS
          + " ticks of healing;" + roles));
    }
    if (invariants.violations().isEmpty()) {
      for (SimulatedNode node : nodes) {
        reportIncompleteFutures(node, "closed at the end of the run");
      }
    }
  }

  /**
   * Closes {@code node} as a host does and reports each future it handed out that the close left
   * incomplete: a client's timeout hides such a future while the run goes on; {@code close()} must
   * fail every pending request.
   */
  private void reportIncompleteFutures(SimulatedNode node, String when) {
    for (String what : node.closeAndListIncomplete()) {
      invariants.report(new Violation.FutureNeverCompleted(seed, node.id(), what, when));
    }
  }

  private void step() {
    Event e = queue.poll();
    clock.advanceTo(e.time());
    int crashesBefore = crashesInsideWork + crashesInRecovery;
    try {
      dispatch(e);
    } catch (SimulatedCrash crash) {
      // A node died inside this event's work (crashInside did the rest); the unwinding ends here.
      // Anything else reached a dead incarnation's store from outside: a bug of the simulator.
      if (crashesInsideWork + crashesInRecovery == crashesBefore) {
        invariants.report(new Violation.Crashed(e + " reached a dead incarnation: " + crash.getMessage()));
      }
    } catch (RuntimeException ex) {
      invariants.report(new Violation.Crashed(e + " threw " + ex));
    }
    for (SimulatedNode node : nodes) {
      Throwable failure = node.fatalFailure();
      if (failure != null && !failureReported[node.index()]) {
        // The simulated disks never fail, so a node that stops itself has met a bug.
        failureReported[node.index()] = true;
        invariants.report(new Violation.Crashed(node.id() + " stopped after a fatal failure: " + failure));
      }
      if (node.isUp()) {
        invariants.afterStep(node.index(), node.core(), node.log());
        RaftCore core = node.core();
        String unbacked = !durabilityChecks ? null : commitCheck.afterStep(node.index(), node.incarnation(), core.role(), core.term(),
            core.commitIndex(), core.config(), node.log(), id -> nodes[indexOf(id)]::holdsDurably);
        if (unbacked != null) {
          invariants.report(new Violation.CommitNotDurablyHeld(node.id(), node.core().term(), unbacked));
        }
      }
    }
  }

  private void dispatch(Event e) {
    switch (e.kind()) {
      case TICK -> tick(e);
      case DELIVER -> deliver(e);
      case SYNC -> {
        trace.record(e.time(), e, Trace.mix(3, e.target()));
        ((SimNode) nodes[e.target()]).syncCompleted((int) e.arg());
      }
      case RUN -> {
        if (e.task().isLive() && pausedUntil[e.target()] > e.time()) {
          // The process is paused: its work waits, in its order, until the pause ends.
          queue.add(new Event(pausedUntil[e.target()], seq++, Kind.RUN, e.target(), null, 0, e.task()));
        } else if (e.task().isLive()) {
          trace.record(e.time(), e, Trace.mix(Trace.mix(12, e.target()), e.task().name().hashCode()));
          e.task().run();
        }
      }
      case CLIENT_INVOKE -> {
        trace.record(e.time(), e, Trace.mix(4, e.target()));
        clients.invoke(e.target());
      }
      case CLIENT_RETRY -> {
        trace.record(e.time(), e, Trace.mix(5, e.target()));
        clients.retry(e.target(), e.arg());
      }
      case CLIENT_TIMEOUT -> {
        trace.record(e.time(), e, Trace.mix(6, e.target()));
        clients.timeout(e.target(), e.arg());
      }
      case FAULT -> fault();
      case CRASH -> {
        SimulatedNode node = nodes[e.target()];
        if (node.isUp() && node.incarnation() == e.arg()) {
          trace.record(e.time(), e, Trace.mix(13, e.target()));
          crash(node);
          schedule(random.nextLong(5, 61) * UNIT, Kind.RESTART, node.index(), null, node.incarnation());
        }
      }
      case RESTART -> {
        SimulatedNode node = nodes[e.target()];
        if (!node.isUp() && node.incarnation() == e.arg()) {
          trace.record(e.time(), e, Trace.mix(8, e.target()));
          maybeArmRecoveryCrash(node);
          startNode(node);
        }
      }
    }
  }

  private void tick(Event e) {
    SimulatedNode node = nodes[e.target()];
    if (!node.isUp() || node.incarnation() != e.arg()) {
      return; // the tick chain of an earlier incarnation ends; not an event
    }
    trace.record(e.time(), e, Trace.mix(1, e.target()));
    schedule(node.nextTickDelay(), Kind.TICK, e.target(), null, e.arg());
    if (pausedUntil[e.target()] > e.time()) {
      // A paused process's tick thread is frozen too; the production tick source then fires one
      // tick and resyncs, rather than a burst: the ticks of the pause are skipped.
      return;
    }
    node.tick();
    if (finalPhase) {
      proposeProbe();
    }
  }

  private void deliver(Event e) {
    RaftMessage m = e.message();
    int to = indexOf(m.to());
    SimulatedNode node = nodes[to];
    if (!node.isUp() || !network.connected(indexOf(m.from()), to)) {
      trace.record(e.time(), new Note("drop (" + (node.isUp() ? "partition" : "receiver down") + ") " + m),
          Trace.mix(9, Trace.fingerprint(m)));
      return;
    }
    trace.record(e.time(), e, Trace.fingerprint(m));
    node.deliver(m);
  }

  private void fault() {
    trace.record(clock.now(), new Note("fault point, network " + network.describe()), 10);
    if (finalPhase) {
      return;
    }
    schedule(FAULT_INTERVAL_TICKS * UNIT, Kind.FAULT, 0, null, 0);
    if (network.isPartitioned() ? random.nextInt(3) == 0 : random.nextDouble() < plan.partitionRate()) {
      if (network.isPartitioned()) {
        network.heal();
      } else {
        SimulatedNetwork.Shape[] shapes = SimulatedNetwork.Shape.values();
        int leader = leaderIndex();
        int focus = leader >= 0 && random.nextBoolean() ? leader : random.nextInt(nodes.length);
        network.partition(shapes[random.nextInt(shapes.length)], focus);
      }
      note("network " + network.describe());
    }
    if (random.nextDouble() < plan.crashRate()) {
      SimulatedNode node = nodes[random.nextInt(nodes.length)];
      if (node.isUp() && processFaults != null && random.nextDouble() < processFaults.insideShare()) {
        RuntimeNode runtimeNode = (RuntimeNode) node;
        if (!runtimeNode.crashArmed()) {
          int points = random.nextInt(ProcessFaults.MAX_POINTS_BEFORE_CRASH + 1);
          note("crash armed: " + node.id() + " dies at crash point " + points + " from now (a write, sync or"
              + " snapshot commit)");
          runtimeNode.armCrash(points);
        }
      } else if (node.isUp()) {
        crash(node);
        schedule(random.nextLong(5, 61) * UNIT, Kind.RESTART, node.index(), null, node.incarnation());
      }
    }
    if (random.nextDouble() < plan.compactRate()) {
      SimulatedNode node = nodes[random.nextInt(nodes.length)];
      if (node.isUp() && mode == Mode.CORE) {
        note("compact " + node.id());
        node.compact();
      }
    }
    int leader = leaderIndex();
    if (leader >= 0 && random.nextDouble() < plan.transferRate()) {
      SimulatedNode target = nodes[random.nextInt(nodes.length)];
      if (target.index() != leader) {
        note("transfer leadership " + nodes[leader].id() + " -> " + target.id());
        nodes[leader].transferLeadership(target.id());
      }
    }
    if (membership && random.nextDouble() < MEMBERSHIP_RATE) {
      changeMembership();
    }
    if (processFaults != null && random.nextDouble() < processFaults.pauseRate()) {
      SimulatedNode node = nodes[random.nextInt(nodes.length)];
      int ticks = random.nextInt(1, processFaults.maxPauseTicks() + 1);
      if (node.isUp()) {
        pauses++;
        pausedUntil[node.index()] = Math.max(pausedUntil[node.index()], clock.now() + ticks * UNIT);
        note("pause " + node.id() + " for " + ticks + " ticks (its clock runs on)");
      }
    }
  }

  /**
   * Asks the leader for a random membership change that fits its configuration: grow by one or
   * two voters (3 to 5 through a joint configuration), shrink by one or two (5 to 3), replace a
   * voter (joint), the leader removing itself, a learner added, promoted or removed. One time in
   * four the leader then crashes within a few ticks, interrupting the change.
   */
  private void changeMembership() {
    int leader = leaderIndex();
    if (leader < 0) {
      return;
    }
    ClusterConfig config = nodes[leader].core().config();
    if (config == null || config.isJoint()) {
      return;
    }
    NodeId self = nodes[leader].id();
    List<NodeId> voters = new ArrayList<>(config.voters());
    List<NodeId> others = new ArrayList<>(voters);
    others.remove(self);
    List<NodeId> learners = new ArrayList<>(config.learners());
    List<NodeId> outsiders = new ArrayList<>();
    for (SimulatedNode node : nodes) {
      if (!config.contains(node.id())) {
        outsiders.add(node.id());
      }
    }
    List<MemberChange> change = switch (random.nextInt(8)) {
      case 0 -> outsiders.isEmpty() ? null : List.of(new MemberChange.AddVoter(pick(outsiders), null));
      case 1 -> outsiders.size() < 2 || voters.size() > 3 ? null : twoOf(outsiders, true);
      case 2 -> voters.size() <= 3 || others.isEmpty() ? null : List.of(new MemberChange.Remove(pick(others)));
      case 3 -> voters.size() < 5 || others.size() < 2 ? null : twoOf(others, false);
      case 4 -> outsiders.isEmpty() || others.isEmpty() ? null
          : List.of(new MemberChange.AddVoter(pick(outsiders), null), new MemberChange.Remove(pick(others)));
      case 5 -> voters.size() <= 2 ? null : List.of(new MemberChange.Remove(self));
      case 6 -> outsiders.isEmpty() ? null : List.of(new MemberChange.AddLearner(pick(outsiders), null));
      default -> learners.isEmpty() ? null : List.of(random.nextBoolean()
          ? new MemberChange.Promote(pick(learners)) : new MemberChange.Remove(pick(learners)));
    };
    if (change == null) {
      return;
    }
    note("membership change asked of " + self + ": " + change);
    nodes[leader].changeMembership(change, (line, committed) -> {
      note(line);
      if (committed) {
        membershipChanges++;
      }
    });
    if (random.nextInt(4) == 0) {
      schedule(random.nextLong(1, 10 * UNIT), Kind.CRASH, leader, null, nodes[leader].incarnation());
    }
  }

  private NodeId pick(List<NodeId> ids) {
    return ids.get(random.nextInt(ids.size()));
  }

  /** Two different nodes of {@code ids}, added as voters or removed. */
  private List<MemberChange> twoOf(List<NodeId> ids, boolean add) {
    List<NodeId> shuffled = new ArrayList<>(ids);
    NodeId a = shuffled.remove(random.nextInt(shuffled.size()));
    NodeId b = shuffled.get(random.nextInt(shuffled.size()));
    return add ? List.of(new MemberChange.AddVoter(a, null), new MemberChange.AddVoter(b, null))
        : List.of(new MemberChange.Remove(a), new MemberChange.Remove(b));
  }

  /**
   * With the run's recovery crash rate, arms a crash among the first writes of {@code node}'s next
   * start: point 0 is recovery's first sync; at a first start a bootstrap's vote and entry are
   * points 1 and 2.
   */
  private void maybeArmRecoveryCrash(SimulatedNode node) {
    if (processFaults != null && random.nextDouble() < processFaults.recoveryCrashRate()) {
      int points = random.nextInt(4);
      note("crash armed: " + node.id() + " dies at crash point " + points + " of its start, inside its recovery if"
          + " recovery writes that much");
      ((RuntimeNode) node).armCrash(points);
    }
  }

  /**
   * A runtime node reached the crash point an armed crash waited for, inside a task or inside its
   * recovery: it crashes there (the caller then unwinds with {@link SimulatedCrash}) and restarts later.
   */
  void crashInside(RuntimeNode node, String where) {
    boolean inRecovery = !node.isUp();
    if (inRecovery) {
      crashesInRecovery++;
    } else {
      crashesInsideWork++;
    }
    note("crash point reached: " + node.id() + " dies " + (inRecovery ? "inside its recovery" : "inside its work")
        + ", at " + where);
    crash(node);
    schedule(random.nextLong(5, 61) * UNIT, Kind.RESTART, node.index(), null, node.incarnation());
  }

  private void crash(SimulatedNode node) {
    pausedUntil[node.index()] = 0;
    invariants.crashed(node.index(), node.id());
    node.crash(sabotage == Sabotage.FORGET_HARD_STATE_ON_CRASH);
    note("crash " + node.id() + " (unsynced writes lost, or some of them kept)");
  }

  private void startNode(SimulatedNode node) {
    node.start(random.split());
    if (node.isUp() || node.fatalFailure() != null) {
      schedule(1 + random.nextInt((int) UNIT), Kind.TICK, node.index(), null, node.incarnation());
    }
  }

  private void proposeProbe() {
    if (probeCommitted) {
      return;
    }
    for (SimulatedNode n : nodes) {
      if (n.isUp() && n.probeInFlight()) {
        return;
      }
    }
    int leader = leaderIndex();
    if (leader >= 0) {
      nodes[leader].proposeProbe(clock.now());
    }
  }

  private int leaderIndex() {
    int best = -1;
    for (SimulatedNode n : nodes) {
      if (n.isUp() && n.core().role() == Role.LEADER && (best < 0 || n.core().term() > nodes[best].core().term())) {
        best = n.index();
      }
    }
    return best;
  }

  /** Adds a line to the trace. */
  void note(String text) {
    trace.record(clock.now(), new Note(text), text.hashCode());
  }

  /** A trace line that is not a scheduled event. */
  private record Note(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  private int indexOf(NodeId id) {
    return Integer.parseInt(id.value().substring(1)) - 1;
  }

  private void schedule(long delay, Kind kind, int target, RaftMessage message, long arg) {
    queue.add(new Event(clock.now() + delay, seq++, kind, target, message, arg, null));
  }

  /** A copy of {@code a} whose last entry claims a term above the message's: no leader sends that. */
  private static AppendEntries malformed(AppendEntries a) {
    List<LogEntry> entries = new ArrayList<>(a.entries());
    LogEntry last = entries.remove(entries.size() - 1);
    entries.add(new LogEntry(last.index(), a.term() + 1, last.kind(), last.payload()));
    return new AppendEntries(a.from(), a.to(), a.term(), a.prevLogIndex(), a.prevLogTerm(), entries, a.leaderCommit(),
        a.sequence());
  }

  /** A runtime node's queue (or detached task) has work: it runs after {@code delay} units. */
  void scheduleTask(SimulatedNode node, SimTask task, long delay) {
    queue.add(new Event(clock.now() + delay, seq++, Kind.RUN, node.index(), null, 0, task));
  }

  /** Where runtime nodes' snapshot stores report how older snapshots were read. */
  CrashPointSnapshotStore.Reads snapshotReads() {
    return snapshotReads;
  }

  /** The longest a disk sync takes now, in time units. */
  int maxSyncDelay() {
    return current.maxSyncDelay();
  }

  /** The run's one random source, for the simulated parts that draw (disks, schedulers). */
  SplittableRandom random() {
    return random;
  }

  /** The client history as checked: writes of unknown outcome resolved by their first application. */
  List<? extends Operation<?, ?>> checkedHistory() {
    return clients.settled(firstApplied, probeCommitted);
  }

  /** A fresh state machine of the workload, for a node that starts. */
  StateMachine newStateMachine() {
    return clients.workload().newStateMachine();
  }

  /** Whether the workload's state machine supports snapshots. */
  boolean snapshotsSupported() {
    return snapshotsSupported;
  }

  // ---------------------------------------------------------------- for nodes and clients

  long now() {
    return clock.now();
  }

  int size() {
    return nodes.length;
  }

  SimulatedNode node(int index) {
    return nodes[index];
  }

  SimClients<?, ?> clients() {
    return clients;
  }

  Invariants invariants() {
    return invariants;
  }

  Sabotage sabotage() {
    return sabotage;
  }

  /**
   * Turns off the checks against what nodes hold durably ({@link DurableBeforeSent},
   * {@link CommitOnDurableMajority}). They catch a persistence bug as it happens, and a run stops
   * at its first violation; with them off, tests show that the safety and linearizability checkers
   * still catch such a bug where it leads.
   */
  Simulation withoutDurabilityChecks() {
    durabilityChecks = false;
    return this;
  }

  /** Whether this run has process faults: a crash may then be the process's alone, the machine staying up. */
  boolean hasProcessFaults() {
    return processFaults != null;
  }

  /** After {@code node}'s crash, of its process alone, {@code writes} writes (of this or earlier crashes) sit unsynced in the machine's cache. */
  void keptInCache(NodeId node, int writes) {
    crashesKeepingCache++;
    note("after the crash of " + node + ", " + writes + " writes sit unsynced in the machine's cache: readable, not durable");
  }

  /** A node sends a message: the network decides its fate. */
  void send(RaftMessage sent) {
    RaftMessage m = sent;
    String unpersisted = durabilityChecks ? nodes[indexOf(sent.from())].unpersisted(sent) : null;
    if (unpersisted != null) {
      invariants.report(new Violation.SentBeforeDurable(sent.from(), sent.toString(), unpersisted));
    }
    if (sent instanceof AppendEntries a && !a.entries().isEmpty()) {
      invariants.sent(a.entries());
    }
    if (sent instanceof InstallSnapshot piece && (piece.offset() > 0 || !piece.done())) {
      snapshotPieces++;
    } else if (sent instanceof InstallSnapshotResponse r && r.success()) {
      snapshotsAcknowledged++;
    }
    if (sent instanceof AppendEntries a && !a.entries().isEmpty() && current.malformedRate() > 0
        && random.nextDouble() < current.malformedRate()) {
      m = malformed(a);
      trace.record(clock.now(), new Note("corrupt " + sent + " into " + m), Trace.mix(14, Trace.fingerprint(m)));
    }
    long[] delays = network.delaysForSend();
    if (delays.length == 0) {
      trace.record(clock.now(), new Note("lose " + m), Trace.mix(11, Trace.fingerprint(m)));
    }
    for (long d : delays) {
      schedule(d, Kind.DELIVER, 0, m, 0);
    }
  }

  /** A node needs a sync for its latest Ready; syncs complete in order, after a random delay. */
  void scheduleSync(SimNode node) {
    long at = Math.max(clock.now() + random.nextInt(current.maxSyncDelay() + 1), node.lastSyncAt());
    node.syncScheduledAt(at);
    schedule(at - clock.now(), Kind.SYNC, node.index, null, node.incarnation());
  }

  void scheduleClientInvoke(int client, long delay) {
    schedule(delay, Kind.CLIENT_INVOKE, client, null, -1);
  }

  void scheduleClientRetry(int client, long opId, long delay) {
    schedule(delay, Kind.CLIENT_RETRY, client, null, opId);
  }

  void scheduleClientTimeout(int client, long opId, long delay) {
    schedule(delay, Kind.CLIENT_TIMEOUT, client, null, opId);
  }

  /**
   * {@code node} applied, at {@code index}, a command of client operation {@code opId} (negative:
   * none) with {@code result}. Every application counts, on every node and every replay: one
   * operation applied at two indexes is a violation, since its client resent it only after
   * answers that promise nothing was appended (see {@link SimClients}).
   */
  void commandApplied(long opId, NodeId node, long index, Bytes result) {
    if (opId < 0) {
      return;
    }
    firstApplied.putIfAbsent(opId, new SettledHistory.Applied(clock.now(), result));
    AppliedAt first = appliedAt.putIfAbsent(opId, new AppliedAt(node, index));
    if (first != null && first.index() != index && appliedTwiceReported.add(opId)) {
      invariants.report(new Violation.AppliedTwice(seed, opId, first.node(), first.index(), node, index,
          clients.resentAfter(opId)));
    }
  }

  /** Where an operation's command was first applied. */
  private record AppliedAt(NodeId node, long index) {}

  /** The liveness probe committed and was applied on the leader that proposed it. */
  void probeCommitted() {
    probeCommitted = true;
  }
}
