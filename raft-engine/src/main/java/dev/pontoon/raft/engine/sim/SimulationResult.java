package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.core.RaftConfig;
import java.util.List;

/**
 * What one simulated run found.
 *
 * @param seed the seed that reproduces it
 * @param requestedNodes the size asked for: 3 or 5, or 0 when the seed chose it
 * @param mode what ran on each node: the production runtime or bare cores
 * @param nodes cluster size
 * @param plan the faults the seed drew
 * @param raftConfig the core settings the seed drew
 * @param settings how the seed set up the runtime
 * @param events events processed (messages delivered or lost, ticks, syncs, client steps,
 *     faults, crashes and restarts)
 * @param operations client operations invoked
 * @param violations what broke; empty for a clean run
 * @param traceHash hash of every event, equal for equal seeds in any JVM
 * @param trace the last events, one per line
 */
record SimulationResult(long seed, int requestedNodes, Simulation.Mode mode, int nodes, FaultPlan plan,
    RaftConfig raftConfig, String settings, long events, int operations, List<Violation> violations, long traceHash,
    String trace) {

  SimulationResult {
    violations = List.copyOf(violations);
  }

  boolean ok() {
    return violations.isEmpty();
  }

  /** A readable report: seed, plan, each violation with its rule, and the last events. */
  String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("seed ").append(seed).append(" (").append(mode.name().toLowerCase(java.util.Locale.ROOT)).append(", ")
        .append(nodes).append(" nodes, ").append(events).append(" events, ").append(operations)
        .append(" client operations)\n  ").append(plan).append("\n  ").append(raftConfig).append("\n  ")
        .append(settings).append('\n');
    for (Violation v : violations) {
      sb.append("  VIOLATION of ").append(v.rule()).append(": ").append(v).append('\n');
      if (v instanceof Violation.NotLinearizable n) {
        sb.append(n.partition().explanation().indent(2));
      }
    }
    sb.append("  last events:\n").append(trace);
    sb.append("  replay: pontoon-simulate --seeds 1 --first-seed ").append(seed).append(" --nodes ")
        .append(requestedNodes == 0 ? "mixed" : Integer.toString(requestedNodes)).append(" --mode ")
        .append(mode.name().toLowerCase(java.util.Locale.ROOT)).append('\n');
    return sb.toString();
  }
}
