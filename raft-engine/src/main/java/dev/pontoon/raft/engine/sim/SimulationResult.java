package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.linearizability.CheckResult;
import dev.pontoon.raft.engine.linearizability.Operation;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What one simulated run (one seed) found: the violations, the client history and its
 * linearizability check, the last events, and how to replay it. Immutable.
 *
 * <p>A run is reproducible: the same seed with the same workload gives the same events, history
 * and {@link #traceHash()}, in any JVM — as long as the state machine under test is deterministic,
 * which the run also checks.
 *
 * @see StateMachineSimulation
 * @see SimulationReport
 */
public final class SimulationResult {
  private final long seed;
  private final int requestedNodes;
  private final Simulation.Mode mode;
  private final int nodes;
  private final FaultPlan plan;
  private final RaftConfig raftConfig;
  private final String settings;
  private final int membershipChanges;
  private final long events;
  private final List<? extends Operation<?, ?>> history;
  private final List<Violation> violations;
  private final CheckResult<?, ?> check;
  private final long traceHash;
  private final long snapshotPieces;
  private final long snapshotsAcknowledged;
  /** The events to show; computed when first asked for (it may run the seed again). */
  private final Supplier<String> trace;
  private String traceText;
  private final Supplier<String> timeline;
  private final String replay;
  private final ProcessFaultsSeen processFaultsSeen;
  private final SnapshotReadsSeen snapshotReadsSeen;

  /**
   * How often a run's process faults struck: crashes inside work, crashes inside recovery, pauses,
   * and crashes that left unsynced writes in the machine's cache for the next process to read.
   */
  record ProcessFaultsSeen(int crashesInsideWork, int crashesInRecovery, int pauses, int crashesKeepingCache) {
    static final ProcessFaultsSeen NONE = new ProcessFaultsSeen(0, 0, 0, 0);
  }

  /**
   * How the runtime read snapshots that newer ones had replaced: opens that succeeded (the store
   * kept the snapshot, or a stream open over it kept it readable) and opens refused (pruned).
   */
  record SnapshotReadsSeen(long olderOpened, long refused) {}

  /** How the run's nodes read replaced snapshots (refusals come from a store that prunes). */
  SnapshotReadsSeen snapshotReadsSeen() {
    return snapshotReadsSeen;
  }

  /** How often process faults struck in the run (all zero unless it was run with them). */
  ProcessFaultsSeen processFaultsSeen() {
    return processFaultsSeen;
  }

  /** Membership changes committed in the run (0 unless it was run with them). */
  int membershipChangesCommitted() {
    return membershipChanges;
  }

  SimulationResult(long seed, int requestedNodes, Simulation.Mode mode, int nodes, FaultPlan plan,
      RaftConfig raftConfig, String settings, int membershipChanges, long events, List<? extends Operation<?, ?>> history,
      List<Violation> violations, CheckResult<?, ?> check, long traceHash, Supplier<String> trace,
      Supplier<String> timeline, String replay, long snapshotPieces, long snapshotsAcknowledged,
      ProcessFaultsSeen processFaultsSeen, SnapshotReadsSeen snapshotReadsSeen) {
    this.processFaultsSeen = processFaultsSeen;
    this.snapshotReadsSeen = snapshotReadsSeen;
    this.snapshotPieces = snapshotPieces;
    this.snapshotsAcknowledged = snapshotsAcknowledged;
    this.seed = seed;
    this.requestedNodes = requestedNodes;
    this.mode = mode;
    this.nodes = nodes;
    this.plan = plan;
    this.raftConfig = raftConfig;
    this.settings = settings;
    this.membershipChanges = membershipChanges;
    this.events = events;
    this.history = List.copyOf(history);
    this.violations = List.copyOf(violations);
    this.check = check;
    this.traceHash = traceHash;
    this.trace = trace;
    this.timeline = timeline;
    this.replay = replay != null ? replay : "pontoon-simulate --seeds 1 --first-seed " + seed + " --nodes "
        + (requestedNodes == 0 ? "mixed" : Integer.toString(requestedNodes)) + " --mode "
        + mode.name().toLowerCase(Locale.ROOT);
  }

  /** The seed that reproduces this run. */
  /** Pieces of streamed snapshots the nodes sent (the runtime's chunked InstallSnapshot). */
  public long snapshotPieces() {
    return snapshotPieces;
  }

  /** Snapshot installs the followers acknowledged. */
  public long snapshotsAcknowledged() {
    return snapshotsAcknowledged;
  }

  public long seed() {
    return seed;
  }

  /** The cluster size. */
  public int nodes() {
    return nodes;
  }

  /**
   * Events processed: messages delivered or lost, ticks, syncs, runtime tasks, client steps,
   * faults, crashes and restarts.
   */
  public long events() {
    return events;
  }

  /** Client operations invoked. */
  public int operations() {
    return history.size();
  }

  /** Whether nothing broke. */
  public boolean ok() {
    return violations.isEmpty();
  }

  /** What broke, in the order found; empty for a clean run. */
  public List<Violation> violations() {
    return violations;
  }

  /**
   * The clients' history as they saw it, in virtual time: inputs and outputs as the workload
   * records them ({@link Request} and the answer's bytes, for a user's state machine).
   */
  public List<? extends Operation<?, ?>> history() {
    return history;
  }

  /**
   * The linearizability check of the history, as the cluster settled it (writes of unknown outcome
   * that some node applied completed at their first application; see {@link
   * StateMachineSimulation}); null when a safety violation ended the run before the check.
   */
  public CheckResult<?, ?> check() {
    return check;
  }

  /** A hash of every event, equal for equal seeds in any JVM. */
  public long traceHash() {
    return traceHash;
  }

  /**
   * The last events of the run, one per line; when the history is not linearizable, the events up
   * to the response where linearization fails (the seed runs again, once, to find them).
   */
  public synchronized String trace() {
    if (traceText == null) {
      traceText = trace.get();
    }
    return traceText;
  }

  /**
   * The checked history drawn as a self-contained HTML page ({@link
   * dev.pontoon.raft.engine.linearizability.HistoryTimeline}): one lane per client, the point where
   * linearization fails highlighted. Null when a safety violation ended the run before the check.
   */
  public String timelineHtml() {
    return check == null ? null : timeline.get();
  }

  /** How to run this seed again, alone. */
  public String replay() {
    return replay;
  }

  int requestedNodes() {
    return requestedNodes;
  }

  Simulation.Mode mode() {
    return mode;
  }

  FaultPlan plan() {
    return plan;
  }

  RaftConfig raftConfig() {
    return raftConfig;
  }

  String settings() {
    return settings;
  }

  /** A readable report: seed, plan, each violation with its rule, the last events, and the replay line. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("seed ").append(seed).append(" (").append(mode.name().toLowerCase(Locale.ROOT)).append(", ")
        .append(nodes).append(" nodes, ").append(events).append(" events, ").append(history.size())
        .append(" client operations)\n  ").append(plan).append("\n  ").append(raftConfig).append("\n  ")
        .append(settings).append('\n');
    for (Violation v : violations) {
      sb.append("  VIOLATION of ").append(v.rule()).append(": ").append(v).append('\n');
      if (v instanceof Violation.NotLinearizable n) {
        sb.append(n.partition().explanation().indent(2));
      }
    }
    sb.append("  last events:\n").append(trace());
    sb.append("  replay: ").append(replay).append('\n');
    return sb.toString();
  }

  @Override
  public String toString() {
    return "seed " + seed + ": " + (ok() ? "ok" : violations.size() + " violations") + ", " + events + " events";
  }
}
