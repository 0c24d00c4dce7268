package dev.pontoon.examples.cluster;

import dev.pontoon.raft.NodeId;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * {@code examples/bin/pontoon-kv}: {@code node …} runs one KV node until SIGTERM or Ctrl-C and
 * prints one line with the addresses it is bound to; {@code cluster [--dir DIR] [--transport
 * netty|http] [--snapshot-every N] [--tls]} runs a 3-node cluster as three processes. Bad flags print the
 * problem and the usage on stderr and exit 2.
 *
 * <p>A node whose Raft node stops after a fatal failure (its log store throws, say on a full
 * disk, or the state machine throws from {@code apply}) does not stay up answering errors: it
 * prints one line naming the cause on stderr ({@link #fatalStopLine}), closes its HTTP API and
 * snapshot store, and exits with status 1, so that a supervisor (systemd, Kubernetes) restarts it.
 */
public final class PontoonKv {
  private PontoonKv() {}

  public static void main(String[] args) throws Exception {
    List<String> all = Arrays.asList(args);
    if (all.isEmpty() || all.contains("--help") || all.contains("-h")) {
      System.out.println(NodeOptions.USAGE);
      System.exit(all.isEmpty() ? 2 : 0);
    }
    List<String> rest = all.subList(1, all.size());
    try {
      switch (all.get(0)) {
        case "node" -> runNodeProcess(NodeOptions.parse(rest), KvNode.Seam.NONE);
        case "cluster" -> LocalCluster.run(LocalCluster.parse(rest));
        default -> throw new IllegalArgumentException("unknown command '" + all.get(0) + "'; use node or cluster");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("pontoon-kv: " + e.getMessage());
      System.err.println(NodeOptions.USAGE);
      System.exit(2);
    }
  }

  /**
   * The {@code node} command's process: {@link #runNode}, then, after a fatal failure, the JVM's
   * end with status 1. After a normal stop the JVM is already exiting (the shutdown hook stopped
   * the node, and {@code System.exit} from here would only wait for it), so this just returns.
   */
  static void runNodeProcess(NodeOptions options, KvNode.Seam seam) throws InterruptedException {
    int status = runNode(options, seam, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /**
   * Runs one node, its parts passed through {@code seam} (tests only break it so), until its Raft
   * node stops: on SIGTERM or Ctrl-C a shutdown hook closes it, or a fatal failure stops it. Then
   * removes the hook (unless the JVM is already exiting), closes what is left (HTTP API, snapshot
   * store; {@code KvNode.close()} is idempotent, so this and the hook close it once) and returns
   * the exit status: 0 after a close, 1 after a fatal failure, for which it first prints
   * {@link #fatalStopLine} on {@code err}.
   */
  static int runNode(NodeOptions options, KvNode.Seam seam, PrintStream err) throws InterruptedException {
    KvNode node = KvNode.start(options.id(), options.members(), options.dir(), options.transport(),
        options.snapshotEvery(), options.logRetain(), options.security(), seam, options.join(), options.logStore());
    Thread hook = new Thread(node::close, "pontoon-kv-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.println(banner(options, node));
    Throwable failure = awaitStop(node);
    if (failure != null) {
      err.println(fatalStopLine(options.id(), failure));
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException exiting) {
      // The JVM is shutting down: the hook closes the node (or has), and node.close() below is idempotent.
    }
    try {
      node.close();
    } catch (RuntimeException e) {
      // What is left failed to close (the HTTP server, say): the process still ends with its status.
      err.println(options.id() + ": closing after the stop failed: " + e);
    }
    return failure == null ? 0 : 1;
  }

  /** Waits until {@code node}'s Raft node has stopped: null after a close, else the fatal failure that stopped it. */
  private static Throwable awaitStop(KvNode node) throws InterruptedException {
    try {
      node.whenStopped().get();
      return null;
    } catch (ExecutionException e) {
      Throwable stopped = e.getCause();
      return stopped.getCause() != null ? stopped.getCause() : stopped;
    }
  }

  /** The one line a node prints on stderr when its Raft node stopped after {@code failure}, before it exits 1. */
  static String fatalStopLine(NodeId id, Throwable failure) {
    return id + " stopped after a fatal failure: " + failure + "; exiting with status 1";
  }

  /** The line a started node prints, with the addresses it is bound to (a port 0 shows the port it got). */
  static String banner(NodeOptions options, KvNode node) {
    String http = NodeSpec.hostPort(node.httpAddress());
    String scheme = options.security().tls() ? "https" : "http";
    String raft = options.transport().equals("http") ? "http://" + http + "/raft/" : NodeSpec.hostPort(node.raftAddress());
    return options.id() + " serving HTTP on " + scheme + "://" + http + " (the cluster page at /) and Raft ("
        + options.transport() + (options.security().tls() ? ", mutual TLS" : "") + ") on " + raft
        + (options.snapshotEvery() > 0 ? ", snapshot every " + options.snapshotEvery() + " entries keeping "
            + options.logRetain() + " behind" : ", never compacting");
  }
}
