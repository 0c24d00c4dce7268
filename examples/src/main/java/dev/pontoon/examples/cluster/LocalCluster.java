package dev.pontoon.examples.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code pontoon-kv cluster [--dir DIR] [--snapshot-every N]}: a thin wrapper that starts {@code n1}, {@code n2} and
 * {@code n3} as three {@code pontoon-kv node} processes on 127.0.0.1 (HTTP 8081–8083, Raft
 * 9081–9083), with their data under {@code DIR/n1} … (default {@code ./pontoon-kv-data}), prints
 * the cluster page's address first, and stops all three on Ctrl-C or SIGTERM. Started again on the same directory, the nodes recover
 * their data. {@code --snapshot-every} is passed to every node.
 */
final class LocalCluster {
  static final Path DEFAULT_DIR = Path.of("pontoon-kv-data");

  private LocalCluster() {}

  /** The flags of {@code pontoon-kv cluster}: where the data goes and how often nodes snapshot. */
  record Options(Path dir, long snapshotEvery) {}

  static Options parse(List<String> args) {
    Map<String, String> flags = NodeOptions.flags(args, List.of("--dir", "--snapshot-every"));
    return new Options(Path.of(flags.getOrDefault("--dir", DEFAULT_DIR.toString())),
        NodeOptions.snapshotEvery(flags.get("--snapshot-every")));
  }

  static List<NodeSpec> members() {
    List<NodeSpec> members = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      members.add(NodeSpec.parse("n" + i + "=127.0.0.1:808" + i + "/127.0.0.1:908" + i));
    }
    return members;
  }

  static void run(Options options) throws IOException, InterruptedException {
    Path dir = options.dir();
    List<NodeSpec> members = members();
    String peers = String.join(",", members.stream().map(NodeSpec::toString).toList());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(processes), "pontoon-kv-cluster-shutdown"));
    for (NodeSpec m : members) {
      ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          PontoonKv.class.getName(), "node", "--id", m.id().value(), "--http", NodeSpec.hostPort(m.http()),
          "--raft", NodeSpec.hostPort(m.raft()), "--dir", dir.resolve(m.id().value()).toString(), "--peers", peers,
          "--snapshot-every", Long.toString(options.snapshotEvery()))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(dir.resolve(m.id().value() + ".log").toFile());
      dir.toFile().mkdirs();
      synchronized (processes) {
        processes.add(builder.start());
      }
    }
    banner(dir, members).forEach(System.out::println);
    for (Process p : List.copyOf(processes)) {
      p.waitFor();
    }
  }

  /**
   * What {@code cluster} prints once the nodes are started: the cluster page's address first, then
   * each node's addresses, data and log, and {@code curl} lines to try.
   */
  static List<String> banner(Path dir, List<NodeSpec> members) {
    List<String> lines = new ArrayList<>();
    String first = "http://" + NodeSpec.hostPort(members.get(0).http());
    lines.add("Watch the cluster: " + first + "/ (any node's / shows every member, live)");
    for (NodeSpec m : members) {
      lines.add(m.id() + " http://" + NodeSpec.hostPort(m.http()) + " (raft " + NodeSpec.hostPort(m.raft())
          + ", data " + dir.resolve(m.id().value()) + File.separator + ", log " + dir.resolve(m.id() + ".log") + ")");
    }
    lines.add("Try:");
    lines.add("  curl -L -X PUT -d bar " + first + "/kv/foo");
    lines.add("  curl -L http://" + NodeSpec.hostPort(members.get(1 % members.size()).http()) + "/kv/foo");
    lines.add("  curl http://" + NodeSpec.hostPort(members.get(members.size() - 1).http()) + "/status");
    lines.add("Ctrl-C stops all three.");
    return lines;
  }

  private static void stopAll(List<Process> processes) {
    List<Process> running;
    synchronized (processes) {
      running = List.copyOf(processes);
    }
    running.forEach(Process::destroy);
    for (Process p : running) {
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
