package dev.pontoon.examples.cluster;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code examples/bin/pontoon-kv}: {@code node …} runs one KV node until SIGTERM or Ctrl-C and
 * prints one line with the addresses it is bound to; {@code cluster [--dir DIR] [--transport
 * netty|http] [--snapshot-every N] [--tls]} runs a 3-node cluster as three processes. Bad flags print the
 * problem and the usage on stderr and exit 2.
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
        case "node" -> runNode(NodeOptions.parse(rest));
        case "cluster" -> LocalCluster.run(LocalCluster.parse(rest));
        default -> throw new IllegalArgumentException("unknown command '" + all.get(0) + "'; use node or cluster");
      }
    } catch (IllegalArgumentException e) {
      System.err.println("pontoon-kv: " + e.getMessage());
      System.err.println(NodeOptions.USAGE);
      System.exit(2);
    }
  }

  private static void runNode(NodeOptions options) throws InterruptedException {
    runNode(options, KvNode.Seam.NONE);
  }

  /** Runs one node until SIGTERM or Ctrl-C, its parts passed through {@code seam} (tests only break it so). */
  static void runNode(NodeOptions options, KvNode.Seam seam) throws InterruptedException {
    KvNode node = KvNode.start(options.id(), options.members(), options.dir(), options.transport(),
        options.snapshotEvery(), options.logRetain(), options.security(), seam, options.join(), options.logStore());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "pontoon-kv-shutdown"));
    System.out.println(banner(options, node));
    stopped.await();
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
