package dev.pontoon.examples.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.utility.DockerImageName;

/**
 * One KV node of the test cluster, run in a container of the local image with host networking on
 * loopback ports (no container address outside 127.0.0.0/8 is used) and its data directory on a named
 * Docker volume, so that a node restarted in a new container recovers from what the old one wrote.
 *
 * <p>Faults are injected at container level through the Docker API: {@link #kill()} is SIGKILL of
 * the whole container, {@link #pause()} freezes every process in it (cgroup freezer), which to its
 * peers looks like a partition. The container's output is appended to {@code target/container-logs}.
 * Not thread-safe: driven by one test thread.
 */
final class KvNodeContainer implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final String id;
  private final String image;
  private final int httpPort;
  private final int raftPort;
  private final String volume;
  private final Path logFile;
  private String peers = "";
  private GenericContainer<?> container;
  private int incarnation;

  KvNodeContainer(String id, String image, int httpPort, int raftPort, String runId, Path logDir) {
    this.id = id;
    this.image = image;
    this.httpPort = httpPort;
    this.raftPort = raftPort;
    this.volume = "pontoon-kv-" + runId + "-" + id;
    this.logFile = logDir.resolve(id + ".log");
  }

  String id() {
    return id;
  }

  /** This node's entry in the {@code --peers} list: {@code id=httpAddress/raftAddress}. */
  String peerSpec() {
    return id + "=127.0.0.1:" + httpPort + "/127.0.0.1:" + raftPort;
  }

  URI httpBase() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  /**
   * Starts a new container for this node on its volume and returns once the container runs (the
   * node answering HTTP is awaited by the caller). Any previous container of this node is removed.
   */
  void start(String clusterPeers) {
    this.peers = clusterPeers;
    removeContainer();
    incarnation++;
    appendLog("==== " + id + " incarnation " + incarnation + " ====\n");
    GenericContainer<?> next = new GenericContainer<>(DockerImageName.parse(image))
        .withNetworkMode("host")
        .withCommand("node", "--id", id,
            "--http", "127.0.0.1:" + httpPort,
            "--raft", "127.0.0.1:" + raftPort,
            "--dir", "/data/" + id,
            "--peers", peers)
        .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
            .withBinds(new Bind(volume, new Volume("/data"))))
        .withLogConsumer(this::appendFrame)
        .withStartupTimeout(STARTUP_TIMEOUT);
    container = next;
    next.start();
  }

  /** Restarts this node in a fresh container on the same volume, with the same peers. */
  void restart() {
    start(peers);
  }

  /**
   * Throws {@link IllegalStateException} with the exit code and the last lines of output when this
   * node's container is not running: a node that died on its own makes waiting for it pointless.
   */
  void requireRunning() {
    var state = docker().inspectContainerCmd(container.getContainerId()).exec().getState();
    if (!Boolean.TRUE.equals(state.getRunning())) {
      throw new IllegalStateException("the container of " + id + " is not running (exit code "
          + state.getExitCodeLong() + "); its output ends with:\n" + logTail(20));
    }
  }

  /** SIGKILL to every process of the container: a crash, nothing is flushed or closed. */
  void kill() {
    docker().killContainerCmd(container.getContainerId()).withSignal("KILL").exec();
  }

  /** Freezes the container's processes: sockets stay open, nothing is answered. */
  void pause() {
    docker().pauseContainerCmd(container.getContainerId()).exec();
  }

  void unpause() {
    docker().unpauseContainerCmd(container.getContainerId()).exec();
  }

  /** Removes the container and the node's volume. */
  @Override
  public void close() {
    removeContainer();
    try {
      docker().removeVolumeCmd(volume).exec();
    } catch (RuntimeException e) {
      // Never created (the cluster did not start) or already gone: nothing is left behind either way.
      appendLog("volume " + volume + " not removed: " + e.getMessage() + "\n");
    }
  }

  private void removeContainer() {
    if (container == null) {
      return;
    }
    try {
      var state = docker().inspectContainerCmd(container.getContainerId()).exec().getState();
      if (Boolean.TRUE.equals(state.getPaused())) {
        unpause();
      }
    } catch (RuntimeException e) {
      appendLog("container state unknown before removal: " + e.getMessage() + "\n");
    }
    container.stop();
    container = null;
  }

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  private String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private void appendFrame(OutputFrame frame) {
    appendLog(frame.getUtf8String());
  }

  private void appendLog(String text) {
    try {
      Files.createDirectories(logFile.getParent());
      Files.writeString(logFile, text, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the container log " + logFile, e);
    }
  }
}
