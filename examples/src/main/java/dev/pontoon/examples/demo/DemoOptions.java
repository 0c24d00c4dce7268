package dev.pontoon.examples.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The flags of {@code pontoon-demo}, parsed and checked. Bad flags give an
 * {@link IllegalArgumentException} whose message says what is wrong; the launcher prints it with
 * {@link #USAGE} and exits 2.
 *
 * @param nodes how many nodes, 3 to 5
 * @param logFile where the nodes' own log lines go, or null for nowhere (the narration alone)
 * @param tick the length of one Raft tick: heartbeats every 3 ticks, election timeouts of 10 to
 *     30 ticks; 100 ms on the command line (elections after 1–3 s), shorter in tests
 */
record DemoOptions(int nodes, Path logFile, Duration tick) {
  static final int MIN_NODES = 3;
  static final int MAX_NODES = 5;
  static final Duration TICK = Duration.ofMillis(100);

  static final String USAGE = String.join("\n",
      "usage: pontoon-demo [--nodes N] [--log FILE]",
      "",
      "Runs Raft nodes N1..NN in one process and narrates, on stdout: the election of a leader",
      "(the specification's Example 1 with --nodes 3), the replication of \"data1\" (Example 2), the",
      "loss of the leader, a split brain, and the repair of conflicting logs.",
      "",
      "  --nodes N   how many nodes, between 3 and 5 (inclusive); default 5",
      "  --log FILE  write the nodes' own log lines to FILE; by default they are off, so that only",
      "              the narration shows",
      "  --help      shows this text");

  DemoOptions {
    if (nodes < MIN_NODES || nodes > MAX_NODES) {
      throw new IllegalArgumentException("--nodes must be between " + MIN_NODES + " and " + MAX_NODES
          + " (inclusive), not " + nodes);
    }
    if (tick.isNegative() || tick.isZero()) {
      throw new IllegalArgumentException("tick (" + tick + ") must be positive");
    }
  }

  /** Parses the command line; every flag takes one value, and an unknown or repeated flag is an error. */
  static DemoOptions parse(List<String> args) {
    Integer nodes = null;
    Path logFile = null;
    for (int i = 0; i < args.size(); i++) {
      String flag = args.get(i);
      if (!flag.equals("--nodes") && !flag.equals("--log")) {
        throw new IllegalArgumentException("unknown flag '" + flag + "'");
      }
      if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args.get(++i);
      if (flag.equals("--nodes")) {
        if (nodes != null) {
          throw new IllegalArgumentException("--nodes is given twice");
        }
        nodes = count(value);
      } else {
        if (logFile != null) {
          throw new IllegalArgumentException("--log is given twice");
        }
        logFile = Path.of(value);
      }
    }
    return new DemoOptions(nodes == null ? MAX_NODES : nodes, logFile, TICK);
  }

  private static int count(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--nodes must be between " + MIN_NODES + " and " + MAX_NODES
          + " (inclusive), not '" + text + "'");
    }
  }

  /** This with another tick length (tests run the same story faster). */
  DemoOptions withTick(Duration length) {
    return new DemoOptions(nodes, logFile, length);
  }
}
