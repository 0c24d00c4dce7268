package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.runtime.NodeRuntime;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * Command line for the deterministic simulator: runs a range of seeds and prints, for each
 * failing seed, its violations and last events, then exactly one summary line
 * {@code seeds=N events=E violations=V}. Exits 0 when no seed broke anything, 1 otherwise, and 2
 * (with usage) for bad arguments.
 *
 * <pre>
 * SimulateMain [--seeds N] [--first-seed S] [--nodes 1|3|5|mixed] [--events E] [--threads T]
 *              [--mode runtime|core|runtime_snapshots|runtime_on_loop] [--membership on|off]
 *              [--process-faults on|off]
 * </pre>
 *
 * <p>{@code --mode runtime} (the default) runs the production runtime on every node;
 * {@code --mode core} runs bare cores (see {@link Simulation.Mode}). {@code --membership on}
 * adds two spare nodes and random membership changes at fault points ({@code --nodes 1}, a lone
 * voter growing, needs it). {@code --process-faults on} lets crashes fall inside a node's work
 * and its recovery and pauses whole processes (see {@link ProcessFaults}; runtime modes only).
 *
 * <p>Seeds run in parallel on {@code T} threads (default: the available processors); each seed
 * runs in one thread and gives the same result wherever it runs.
 */
public final class SimulateMain {
  static final String USAGE = "usage: pontoon-simulate [--seeds N] [--first-seed S] [--nodes 1|3|5|mixed] [--events E]"
      + " [--threads T] [--mode runtime|core|runtime_snapshots|runtime_on_loop] [--membership on|off]"
      + " [--process-faults on|off]\n"
      + "  --seeds N       how many seeds to run (default 100)\n"
      + "  --first-seed S  the first seed; seeds S..S+N-1 run (default 1)\n"
      + "  --nodes         cluster size: 3 or 5, or mixed to let each seed choose 3 to 5, or 1 (a lone\n"
      + "                  voter, with --membership on) (default 3)\n"
      + "  --events E      events per seed before the final phase (default 10000)\n"
      + "  --threads T     seeds run in parallel (default: available processors)\n"
      + "  --mode          runtime: the production runtime (RaftServer, its event loop, sync, apply and\n"
      + "                  snapshot workers) on every node; core: bare RaftCores; runtime_snapshots: the\n"
      + "                  runtime with a snapshot every few entries streamed in tiny pieces;\n"
      + "                  runtime_on_loop: the runtime with leaders writing their log and every node\n"
      + "                  applying on the event loop (leaderWritesOnEventLoop, applyOnEventLoop)\n"
      + "                  (default runtime)\n"
      + "  --membership    on: two spare nodes start outside the cluster and the leader is asked for\n"
      + "                  random membership changes (grow, shrink, replace, learners, removing itself)\n"
      + "                  (default off)\n"
      + "  --process-faults on: crashes also fall inside a node's work (at a write, sync or snapshot\n"
      + "                  commit) and inside its recovery, and whole processes pause while their\n"
      + "                  clocks run on; runtime modes only (default off)";

  private SimulateMain() {}

  /** Runs the simulator; see the class comment. */
  public static void main(String[] args) {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    String runtimeLog = "org.slf4j.simpleLogger.log." + NodeRuntime.class.getName();
    if (System.getProperty(runtimeLog) == null) {
      // A crash inside an event-loop task (--process-faults on) reaches the runtime as a fatal
      // failure, which it logs; the simulator reports every real fatal failure as a violation.
      System.setProperty(runtimeLog, "off");
    }
    System.exit(run(args, System.out, System.err));
  }

  /** The parsed command line. */
  record Options(long seeds, long firstSeed, int nodes, long events, int threads, Simulation.Mode mode,
      boolean membership, boolean processFaults) {}

  /** Runs with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      out.println(USAGE);
      return 0;
    }
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    SimulationReport report;
    try {
      report = SimulationReport.run(options.firstSeed(), options.seeds(), options.threads(),
          seed -> options.processFaults()
              ? Simulation.runWithProcessFaults(seed, options.nodes(), options.events(), options.mode(),
                  options.membership())
              : options.membership()
              ? Simulation.runWithMembershipChanges(seed, options.nodes(), options.events(), options.mode())
              : Simulation.run(seed, options.nodes(), options.events(), options.mode()), r -> {
            if (!r.ok()) {
              out.print(r.describe());
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("error: interrupted");
      return 1;
    } catch (ExecutionException e) {
      err.println("error: the simulator itself failed: " + e.getCause());
      return 1;
    }
    out.println(report.summary());
    return report.ok() ? 0 : 1;
  }

  static Options parse(String[] args) {
    long seeds = 100;
    long firstSeed = 1;
    int nodes = 3;
    long events = 10_000;
    int threads = Runtime.getRuntime().availableProcessors();
    Simulation.Mode mode = Simulation.Mode.RUNTIME;
    boolean membership = false;
    boolean processFaults = false;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag.startsWith("--") ? flag + " needs a value" : "unexpected argument '"
            + flag + "'");
      }
      String value = args[++i];
      switch (flag) {
        case "--seeds" -> seeds = positive(flag, value);
        case "--first-seed" -> firstSeed = number(flag, value);
        case "--events" -> events = positive(flag, value);
        case "--threads" -> threads = (int) Math.min(positive(flag, value), 256);
        case "--nodes" -> nodes = switch (value) {
          case "1" -> 1;
          case "3" -> 3;
          case "5" -> 5;
          case "mixed" -> 0;
          default -> throw new IllegalArgumentException("--nodes must be 1, 3, 5 or mixed, not '" + value + "'");
        };
        case "--mode" -> mode = switch (value) {
          case "runtime" -> Simulation.Mode.RUNTIME;
          case "core" -> Simulation.Mode.CORE;
          case "runtime_snapshots" -> Simulation.Mode.RUNTIME_SNAPSHOTS;
          case "runtime_on_loop" -> Simulation.Mode.RUNTIME_ON_LOOP;
          default -> throw new IllegalArgumentException("--mode must be runtime, core, runtime_snapshots or"
              + " runtime_on_loop, not '" + value + "'");
        };
        case "--membership" -> membership = switch (value) {
          case "on" -> true;
          case "off" -> false;
          default -> throw new IllegalArgumentException("--membership must be on or off, not '" + value + "'");
        };
        case "--process-faults" -> processFaults = switch (value) {
          case "on" -> true;
          case "off" -> false;
          default -> throw new IllegalArgumentException("--process-faults must be on or off, not '" + value + "'");
        };
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
      }
    }
    if (nodes == 1 && !membership) {
      throw new IllegalArgumentException("--nodes 1 needs --membership on (a lone voter that grows)");
    }
    if (processFaults && mode == Simulation.Mode.CORE) {
      throw new IllegalArgumentException("--process-faults needs a runtime mode: bare cores have no process");
    }
    return new Options(seeds, firstSeed, nodes, events, threads, mode, membership, processFaults);
  }

  private static long number(String flag, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a whole number, not '" + value + "'");
    }
  }

  private static long positive(String flag, String value) {
    long n = number(flag, value);
    if (n <= 0) {
      throw new IllegalArgumentException(flag + " must be positive, not " + n);
    }
    return n;
  }
}
