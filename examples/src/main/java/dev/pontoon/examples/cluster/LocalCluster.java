package dev.pontoon.examples.cluster;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code pontoon-kv cluster [--dir DIR] [--transport netty|http] [--snapshot-every N]}: a thin
 * wrapper that starts three {@code pontoon-kv node} processes on 127.0.0.1 with their data under
 * {@code DIR/<node>} (default {@code ./pontoon-kv-data}), prints the cluster page's address first,
 * then each node's start banner (the addresses it is bound to) once it runs, and stops all three
 * on Ctrl-C or SIGTERM. On the netty transport the nodes are {@code n1}, {@code n2}, {@code n3}
 * with HTTP on 8081–8083 and Raft on 9081–9083; on the http transport they are
 * {@code 127.0.0.1:8081} … {@code 127.0.0.1:8083}, each serving its HTTP API and {@code /raft/*}
 * on that one port. Started again on the same directory, the nodes recover their data.
 * {@code --snapshot-every} is passed to every node. If a node does not start, the cluster names
 * it and its log, stops the others and exits 1.
 */
final class LocalCluster {
  static final Path DEFAULT_DIR = Path.of("pontoon-kv-data");

  private LocalCluster() {}

  /** The flags of {@code pontoon-kv cluster}: where the data goes, the Raft transport, how often nodes snapshot. */
  record Options(Path dir, String transport, long snapshotEvery) {}

  static Options parse(List<String> args) {
    Map<String, String> flags = NodeOptions.flags(args, List.of("--dir", "--transport", "--snapshot-every"));
    return new Options(Path.of(flags.getOrDefault("--dir", DEFAULT_DIR.toString())),
        NodeOptions.transport(flags.get("--transport")), NodeOptions.snapshotEvery(flags.get("--snapshot-every")));
  }

  /** The three members on 127.0.0.1 for {@code transport}. */
  static List<NodeSpec> members(String transport) {
    List<NodeSpec> members = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      members.add(transport.equals("http") ? NodeSpec.parseSharedPort("127.0.0.1:808" + i)
          : NodeSpec.parse("n" + i + "=127.0.0.1:808" + i + "/127.0.0.1:908" + i));
    }
    return members;
  }

  /** The directory (and log file stem) of {@code member}: its id, with ':' (not allowed in Windows names) as '-'. */
  static String dirName(NodeSpec member) {
    return member.id().value().replace(':', '-');
  }

  /** The arguments of {@code pontoon-kv} that start {@code member}. */
  static List<String> nodeArguments(NodeSpec member, List<NodeSpec> members, Options options) {
    String peers = String.join(",", members.stream().map(NodeSpec::toString).toList());
    List<String> args = new ArrayList<>(List.of("node", "--transport", options.transport(), "--id", member.id().value(),
        "--http", NodeSpec.hostPort(member.http())));
    if (!options.transport().equals("http")) {
      args.addAll(List.of("--raft", NodeSpec.hostPort(member.raft())));
    }
    args.addAll(List.of("--dir", options.dir().resolve(dirName(member)).toString(), "--peers", peers,
        "--snapshot-every", Long.toString(options.snapshotEvery())));
    return args;
  }

  static void run(Options options) throws IOException, InterruptedException {
    Path dir = options.dir();
    List<NodeSpec> members = members(options.transport());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(processes), "pontoon-kv-cluster-shutdown"));
    dir.toFile().mkdirs();
    for (NodeSpec m : members) {
      List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
          PontoonKv.class.getName()));
      command.addAll(nodeArguments(m, members, options));
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectError(dir.resolve(dirName(m) + ".log").toFile());
      synchronized (processes) {
        processes.add(builder.start());
      }
    }
    List<String> started = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      // Each node prints one banner line once it is bound; nothing when it failed to start.
      BufferedReader out = new BufferedReader(
          new InputStreamReader(processes.get(i).getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null) {
        System.err.println("pontoon-kv cluster: " + members.get(i).id() + " did not start; see "
            + dir.resolve(dirName(members.get(i)) + ".log"));
        stopAll(processes);
        System.exit(1);
      }
      started.add(line);
    }
    banner(dir, members, started).forEach(System.out::println);
    for (Process p : List.copyOf(processes)) {
      p.waitFor();
    }
  }

  /**
   * What {@code cluster} prints once the nodes are started: the cluster page's address first, then
   * each node's own start banner ({@code started}, in member order) with its data and log, and
   * {@code curl} lines to try.
   */
  static List<String> banner(Path dir, List<NodeSpec> members, List<String> started) {
    List<String> lines = new ArrayList<>();
    String first = "http://" + NodeSpec.hostPort(members.get(0).http());
    lines.add("Watch the cluster: " + first + "/ (any node's / shows every member, live)");
    for (int i = 0; i < members.size(); i++) {
      lines.add(started.get(i) + " (data " + dir.resolve(dirName(members.get(i))) + File.separator + ", log "
          + dir.resolve(dirName(members.get(i)) + ".log") + ")");
    }
    lines.add("Try:");
    lines.add("  curl -L -X PUT -d bar " + first + "/kv/foo");
    lines.add("  curl -L http://" + NodeSpec.hostPort(members.get(1 % members.size()).http()) + "/kv/foo");
    lines.add("  curl http://" + NodeSpec.hostPort(members.get(members.size() - 1).http()) + "/status");
    lines.add("  curl " + first + "/log");
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
