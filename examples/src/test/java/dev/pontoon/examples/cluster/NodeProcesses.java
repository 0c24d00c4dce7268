package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Three {@code pontoon-kv node} processes ({@code n1}..{@code n3}) on fresh loopback ports, their
 * data and logs under one directory, for tests that kill a node with SIGKILL and restart it on its
 * data. {@link #close()} kills whatever still runs.
 */
final class NodeProcesses implements AutoCloseable {
  final List<NodeSpec> members = FreePorts.members();
  private final Path dir;
  private final Class<?> main;
  private final Map<NodeSpec, Process> running = new LinkedHashMap<>();
  private final List<String> nodeFlags = new ArrayList<>();
  private final List<String> jvmFlags = new ArrayList<>();
  private final Map<NodeSpec, String> heaps = new LinkedHashMap<>();
  private final Map<NodeSpec, Path> dataDirs = new LinkedHashMap<>();

  NodeProcesses(Path dir) {
    this(dir, PontoonKv.class);
  }

  /** Nodes run by {@code main} ({@code main node --id ...}): {@link PontoonKv}, or a test's broken variant. */
  NodeProcesses(Path dir, Class<?> main) {
    this.dir = dir;
    this.main = main;
  }

  /** Adds {@code pontoon-kv node} flags every node is started with from now on. */
  NodeProcesses withNodeFlags(String... flags) {
    nodeFlags.addAll(List.of(flags));
    return this;
  }

  /** Adds JVM flags (e.g. {@code -Dorg.slf4j.simpleLogger.log.X=info}) every node is started with from now on. */
  NodeProcesses withJvmFlags(String... flags) {
    jvmFlags.addAll(List.of(flags));
    return this;
  }

  /** Starts {@code m} with {@code maxHeap} (e.g. {@code 256m}) from now on, instead of 256m. */
  NodeProcesses withHeap(NodeSpec m, String maxHeap) {
    heaps.put(m, maxHeap);
    return this;
  }

  /** Keeps {@code m}'s data in {@code dataDir} from now on, instead of {@code <dir>/<id>}. */
  NodeProcesses withDataDir(NodeSpec m, Path dataDir) {
    dataDirs.put(m, dataDir);
    return this;
  }

  void startAll() {
    members.forEach(this::start);
  }

  /** Starts {@code m} on its data directory (recovering what it holds); its stderr goes to {@code <dir>/<id>.log}. */
  void start(NodeSpec m) {
    String peers = String.join(",", members.stream().map(NodeSpec::toString).toList());
    start(m, List.of("--peers", peers));
  }

  /**
   * Starts {@code m}, which need not be one of {@link #members}, with {@code --join joinUrl}
   * instead of {@code --peers}, on its data directory.
   */
  void startJoining(NodeSpec m, String joinUrl) {
    start(m, List.of("--join", joinUrl));
  }

  private void start(NodeSpec m, List<String> membership) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heaps.getOrDefault(m, "256m"),
        "-XX:TieredStopAtLevel=1"));
    command.addAll(jvmFlags);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName(), "node", "--id", m.id().value(),
        "--http", NodeSpec.hostPort(m.http()), "--raft", NodeSpec.hostPort(m.raft()),
        "--dir", dataDirs.getOrDefault(m, dir.resolve(m.id().value())).toString()));
    command.addAll(membership);
    command.addAll(nodeFlags);
    try {
      running.put(m, new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve(m.id() + ".log").toFile())).start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + m.id(), e);
    }
  }

  /** Starts every member whose process is not running (killed, or ended on its own). */
  void startStopped() {
    for (NodeSpec m : members) {
      Process process = running.get(m);
      if (process == null || !process.isAlive()) {
        start(m);
      }
    }
  }

  /** SIGKILL: no shutdown hook runs, as in a crash. Returns once the process has ended. */
  void kill(NodeSpec m) {
    Process process = running.remove(m);
    if (process != null) {
      process.destroyForcibly();
      awaitExit(process);
    }
  }

  /** SIGSTOP: the process freezes, its sockets stay open and unanswered, until {@link #resume}. */
  void pause(NodeSpec m) {
    signal(m, "STOP");
  }

  /** SIGCONT after {@link #pause}. */
  void resume(NodeSpec m) {
    signal(m, "CONT");
  }

  private void signal(NodeSpec m, String signal) {
    Process process = running.get(m);
    if (process == null) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send SIG" + signal + " to " + m.id(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String base(NodeSpec m) {
    return "http://127.0.0.1:" + m.http().getPort();
  }

  List<NodeSpec> others(NodeSpec m) {
    return members.stream().filter(o -> !o.equals(m)).toList();
  }

  NodeSpec byId(String id) {
    return members.stream().filter(m -> m.id().value().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no member " + id));
  }

  /**
   * The leader when every member answers, exactly one calls itself leader and every member names it
   * (a follower that has not heard from it yet rightly answers 503); otherwise null.
   */
  NodeSpec agreedLeader() {
    Set<String> named = new HashSet<>();
    String leader = null;
    for (NodeSpec m : members) {
      JsonNode status = status(base(m));
      if (status == null || status.get("leader").isNull()) {
        return null;
      }
      named.add(status.get("leader").asText());
      if ("leader".equals(status.get("role").asText())) {
        if (leader != null) {
          return null;
        }
        leader = m.id().value();
      }
    }
    return leader != null && named.equals(Set.of(leader)) ? byId(leader) : null;
  }

  /** The exit status of {@code m}'s process once it has ended on its own, or null while it runs. */
  Integer exitStatus(NodeSpec m) {
    Process process = running.get(m);
    return process == null || process.isAlive() ? null : process.exitValue();
  }

  /** What {@code m}'s processes wrote on stderr (their log), so far. */
  String log(NodeSpec m) {
    try {
      Path log = dir.resolve(m.id() + ".log");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the log of " + m.id(), e);
    }
  }

  /** Whether {@code m}'s process runs. */
  boolean isRunning(NodeSpec m) {
    Process process = running.get(m);
    return process != null && process.isAlive();
  }

  @Override
  public void close() {
    running.values().forEach(Process::destroyForcibly);
    running.values().forEach(NodeProcesses::awaitExit);
    running.clear();
  }

  private static void awaitExit(Process process) {
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
