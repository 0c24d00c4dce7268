package dev.pontoon.examples.cluster;

import dev.pontoon.raft.NodeId;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * {@code pontoon-kv cluster [--dir DIR] [--transport netty|http] [--snapshot-every N] [--log-retain N]
 * [--log-store rocksdb|segment] [--tls]}: a
 * thin wrapper that starts three {@code pontoon-kv node} processes on 127.0.0.1 with their data
 * under {@code DIR/<node>} (default {@code ./pontoon-kv-data}), prints the cluster page's address
 * first, then each node's start banner (the addresses it is bound to) once it runs, and stops all
 * three on Ctrl-C or SIGTERM. On the netty transport the nodes are {@code n1}, {@code n2},
 * {@code n3} with HTTP on 8081–8083 and Raft on 9081–9083; on the http transport they are
 * {@code 127.0.0.1:8081} … {@code 127.0.0.1:8083}, each serving its HTTP API and {@code /raft/*}
 * on that one port. Started again on the same directory, the nodes recover their data.
 * {@code --snapshot-every}, {@code --log-retain} and {@code --log-store} are passed to every node. If a node does not start, the cluster names
 * it and its log, stops the others and exits 1; a node whose process ends while the cluster runs
 * is named on stderr with its status, its log and the command that restarts it ({@link #exitLine}),
 * and the others keep running. With {@code --tls} (netty transport only), a
 * throwaway CA and node certificates are made under {@code DIR/tls} (see {@link ThrowawayCa}) and
 * the nodes run mutual TLS between them and HTTPS for clients and the cluster page (a browser
 * must trust {@code DIR/tls/ca.pem} to open it).
 */
final class LocalCluster {
  static final Path DEFAULT_DIR = Path.of("pontoon-kv-data");

  private LocalCluster() {}

  /**
   * The flags of {@code pontoon-kv cluster}: where the data goes, the Raft transport, how often
   * nodes snapshot, and whether they use TLS (netty only).
   */
  record Options(Path dir, String transport, long snapshotEvery, long logRetain, boolean tls, String logStore) {}

  static Options parse(List<String> args) {
    Map<String, String> flags = NodeOptions.flags(args, List.of("--dir", "--transport", "--snapshot-every", "--log-retain", "--log-store"),
        List.of("--tls"));
    String transport = NodeOptions.transport(flags.get("--transport"));
    boolean tls = flags.containsKey("--tls");
    if (tls && !transport.equals("netty")) {
      throw new IllegalArgumentException("--tls needs the netty transport, not --transport " + transport);
    }
    return new Options(Path.of(flags.getOrDefault("--dir", DEFAULT_DIR.toString())), transport,
        NodeOptions.snapshotEvery(flags.get("--snapshot-every")), NodeOptions.logRetain(flags.get("--log-retain")), tls,
        NodeOptions.logStore(flags.get("--log-store")));
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
        "--snapshot-every", Long.toString(options.snapshotEvery()), "--log-retain", Long.toString(options.logRetain()),
        "--log-store", options.logStore()));
    return args;
  }

  static void run(Options options) throws IOException, InterruptedException {
    Path dir = options.dir();
    List<NodeSpec> members = members(options.transport());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> processes = new ArrayList<>();
    AtomicBoolean stopping = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stopping.set(true);
      stopAll(processes);
    }, "pontoon-kv-cluster-shutdown"));
    dir.toFile().mkdirs();
    Map<NodeId, List<String>> tls = tlsFlags(dir, members, options.tls());
    for (NodeSpec m : members) {
      List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
          PontoonKv.class.getName()));
      command.addAll(nodeArguments(m, members, options));
      command.addAll(tls.get(m.id()));
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
        stopping.set(true);
        stopAll(processes);
        System.exit(1);
      }
      started.add(line);
    }
    banner(dir, members, started, options.tls()).forEach(System.out::println);
    for (int i = 0; i < members.size(); i++) {
      NodeSpec m = members.get(i);
      List<String> restart = new ArrayList<>(nodeArguments(m, members, options));
      restart.addAll(tls.get(m.id()));
      Process process = processes.get(i);
      reportExitUnlessStopping(process.onExit(), stopping::get, CompletableFuture.delayedExecutor(
          EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS), () -> System.err.println(
              exitLine(m, process.exitValue(), dir, restart)));
    }
    for (Process p : List.copyOf(processes)) {
      p.waitFor();
    }
  }

  /**
   * How long after a node's process ends {@code cluster} looks whether it is itself stopping. A
   * Ctrl-C reaches the nodes and this process at once, and a node may end before this process's
   * shutdown hook has marked the cluster as stopping: such a node is not reported.
   */
  static final Duration EXIT_GRACE = Duration.ofSeconds(1);

  /**
   * Runs {@code report} once {@code exited} completes, unless {@code stopping} says the cluster is
   * stopping by then; {@code afterGrace} runs the check {@link #EXIT_GRACE} later.
   */
  static CompletableFuture<Void> reportExitUnlessStopping(CompletableFuture<?> exited, BooleanSupplier stopping,
      Executor afterGrace, Runnable report) {
    return exited.thenRunAsync(() -> {
      if (!stopping.getAsBoolean()) {
        report.run();
      }
    }, afterGrace);
  }

  /**
   * What {@code cluster} prints on stderr when a node's process ends while the cluster runs (a
   * fatal failure such as a full disk ends it with status 1): where its log is, and the command
   * that starts it again on its data; the other two keep serving.
   */
  static String exitLine(NodeSpec member, int status, Path dir, List<String> nodeArguments) {
    return "pontoon-kv cluster: " + member.id() + " exited with status " + status + " (its log: "
        + dir.resolve(dirName(member) + ".log") + "); the other nodes keep running. Start it again with: "
        + "examples/bin/pontoon-kv " + String.join(" ", nodeArguments);
  }

  /** What {@code cluster} prints for nodes on plain HTTP; see {@link #banner(Path, List, List, boolean)}. */
  static List<String> banner(Path dir, List<NodeSpec> members, List<String> started) {
    return banner(dir, members, started, false);
  }

  /**
   * What {@code cluster} prints once the nodes are started: the cluster page's address first, then
   * each node's own start banner ({@code started}, in member order) with its data and log, and
   * {@code curl} lines to try. With {@code tls}, every address is {@code https://}, {@code curl}
   * trusts {@code DIR/tls/ca.pem}, and a line says that the browser must trust that CA too.
   */
  static List<String> banner(Path dir, List<NodeSpec> members, List<String> started, boolean tls) {
    List<String> lines = new ArrayList<>();
    String scheme = tls ? "https://" : "http://";
    Path ca = dir.resolve("tls").resolve("ca.pem");
    String curl = tls ? "curl --cacert " + ca : "curl";
    String first = scheme + NodeSpec.hostPort(members.get(0).http());
    lines.add("Watch the cluster: " + first + "/ (any node's / shows every member, live)");
    if (tls) {
      lines.add("  (the browser must trust the throwaway CA " + ca + " to open it)");
    }
    for (int i = 0; i < members.size(); i++) {
      lines.add(started.get(i) + " (data " + dir.resolve(dirName(members.get(i))) + File.separator + ", log "
          + dir.resolve(dirName(members.get(i)) + ".log") + ")");
    }
    lines.add("Try:");
    lines.add("  " + curl + " -L -X PUT -d bar " + first + "/kv/foo");
    lines.add("  " + curl + " -L " + scheme + NodeSpec.hostPort(members.get(1 % members.size()).http()) + "/kv/foo");
    lines.add("  " + curl + " " + scheme + NodeSpec.hostPort(members.get(members.size() - 1).http()) + "/status");
    lines.add("  " + curl + " " + first + "/log");
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
