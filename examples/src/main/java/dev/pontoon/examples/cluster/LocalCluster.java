package dev.pontoon.examples.cluster;

import dev.pontoon.raft.NodeId;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code pontoon-kv cluster [--dir DIR] [--snapshot-every N] [--tls]}: a thin wrapper that starts {@code n1},
 * {@code n2} and {@code n3} as three {@code pontoon-kv node} processes on 127.0.0.1 (HTTP 8081–8083, Raft
 * 9081–9083), with their data under {@code DIR/n1} … (default {@code ./pontoon-kv-data}), prints
 * the cluster page's address first, and stops all three on Ctrl-C or SIGTERM. Started again on the
 * same directory, the nodes recover their data. {@code --snapshot-every} is passed to every node.
 * With {@code --tls}, a throwaway CA and node certificates are made under {@code DIR/tls} (see
 * {@link ThrowawayCa}) and the nodes run mutual TLS between them and HTTPS for clients and the
 * cluster page (a browser must trust {@code DIR/tls/ca.pem} to open it).
 */
final class LocalCluster {
  static final Path DEFAULT_DIR = Path.of("pontoon-kv-data");

  private LocalCluster() {}

  /** The flags of {@code pontoon-kv cluster}: where the data goes, how often nodes snapshot, and whether they use TLS. */
  record Options(Path dir, long snapshotEvery, boolean tls) {}

  static Options parse(List<String> args) {
    Map<String, String> flags = NodeOptions.flags(args, List.of("--dir", "--snapshot-every"), List.of("--tls"));
    return new Options(Path.of(flags.getOrDefault("--dir", DEFAULT_DIR.toString())),
        NodeOptions.snapshotEvery(flags.get("--snapshot-every")), flags.containsKey("--tls"));
  }

  /** The extra {@code pontoon-kv node} flags of each member: certificates from a new throwaway CA with {@code tls}. */
  static Map<NodeId, List<String>> tlsFlags(Path dir, List<NodeSpec> members, boolean tls) throws IOException {
    Map<NodeId, List<String>> flags = new LinkedHashMap<>();
    ThrowawayCa ca = tls ? new ThrowawayCa(dir.resolve("tls")) : null;
    for (NodeSpec m : members) {
      if (ca == null) {
        flags.put(m.id(), List.of());
      } else {
        ThrowawayCa.NodeFiles files = ca.issue(m.id());
        flags.put(m.id(), List.of("--tls-cert", files.certificateChain().toString(), "--tls-key",
            files.privateKey().toString(), "--tls-ca", files.trustedCertificates().toString()));
      }
    }
    return flags;
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
    Map<NodeId, List<String>> tls = tlsFlags(dir, members, options.tls());
    for (NodeSpec m : members) {
      List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
          PontoonKv.class.getName(), "node", "--id", m.id().value(), "--http", NodeSpec.hostPort(m.http()),
          "--raft", NodeSpec.hostPort(m.raft()), "--dir", dir.resolve(m.id().value()).toString(), "--peers", peers,
          "--snapshot-every", Long.toString(options.snapshotEvery())));
      command.addAll(tls.get(m.id()));
      ProcessBuilder builder = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(dir.resolve(m.id().value() + ".log").toFile());
      dir.toFile().mkdirs();
      synchronized (processes) {
        processes.add(builder.start());
      }
    }
    banner(dir, members, options.tls()).forEach(System.out::println);
    for (Process p : List.copyOf(processes)) {
      p.waitFor();
    }
  }

  /** What {@code cluster} prints for nodes on plain HTTP. */
  static List<String> banner(Path dir, List<NodeSpec> members) {
    return banner(dir, members, false);
  }

  /**
   * What {@code cluster} prints once the nodes are started: the cluster page's address first, then
   * each node's addresses, data and log, and {@code curl} lines to try. With {@code tls}, every
   * address is {@code https://}, {@code curl} trusts {@code DIR/tls/ca.pem}, and a line says that
   * the browser must trust that CA too.
   */
  static List<String> banner(Path dir, List<NodeSpec> members, boolean tls) {
    List<String> lines = new ArrayList<>();
    String scheme = tls ? "https://" : "http://";
    Path ca = dir.resolve("tls").resolve("ca.pem");
    String curl = tls ? "curl --cacert " + ca : "curl";
    String first = scheme + NodeSpec.hostPort(members.get(0).http());
    lines.add("Watch the cluster: " + first + "/ (any node's / shows every member, live)");
    if (tls) {
      lines.add("  (the browser must trust the throwaway CA " + ca + " to open it)");
    }
    for (NodeSpec m : members) {
      lines.add(m.id() + " " + scheme + NodeSpec.hostPort(m.http()) + " (raft " + NodeSpec.hostPort(m.raft())
          + ", data " + dir.resolve(m.id().value()) + File.separator + ", log " + dir.resolve(m.id() + ".log") + ")");
    }
    lines.add("Try:");
    lines.add("  " + curl + " -L -X PUT -d bar " + first + "/kv/foo");
    lines.add("  " + curl + " -L " + scheme + NodeSpec.hostPort(members.get(1 % members.size()).http()) + "/kv/foo");
    lines.add("  " + curl + " " + scheme + NodeSpec.hostPort(members.get(members.size() - 1).http()) + "/status");
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
