package dev.pontoon.examples.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** What {@code pontoon-kv cluster} prints once its three nodes are started. */
class LocalClusterTest {
  @Test
  void printsTheClusterPagesAddressFirstThenEachNodesOwnBannerAndTheLinesToTry() {
    List<NodeSpec> members = LocalCluster.members("netty");
    List<String> started = List.of("n1 serving HTTP on http://127.0.0.1:8081 (the cluster page at /) and Raft (netty) on "
        + "127.0.0.1:9081, snapshot every 10000 entries", "n2 serving …", "n3 serving …");
    List<String> lines = LocalCluster.banner(Path.of("data"), members, started);

    assertEquals("Watch the cluster: http://127.0.0.1:8081/ (any node's / shows every member, live)", lines.get(0));
    assertEquals(started.get(0) + " (data " + Path.of("data", "n1") + File.separator + ", log " + Path.of("data", "n1.log")
        + ")", lines.get(1));
    assertTrue(lines.contains("  curl -L -X PUT -d bar http://127.0.0.1:8081/kv/foo"), lines.toString());
    assertEquals("Ctrl-C stops all three.", lines.get(lines.size() - 1));
  }

  /** A node that ends on its own (a fatal failure exits 1) is named, with its log and the command that restarts it. */
  @Test
  void aNodeThatExitsWhileTheClusterRunsIsNamedWithItsLogAndTheCommandThatStartsItAgain() {
    List<NodeSpec> members = LocalCluster.members("netty");
    LocalCluster.Options options = LocalCluster.parse(List.of("--dir", "data", "--log-store", "segment"));
    List<String> arguments = LocalCluster.nodeArguments(members.get(2), members, options);

    String line = LocalCluster.exitLine(members.get(2), 1, Path.of("data"), arguments);

    String command = "examples/bin/pontoon-kv ";
    assertTrue(line.startsWith("pontoon-kv cluster: n3 exited with status 1 (its log: " + Path.of("data", "n3.log") + ")"), line);
    assertTrue(line.contains("the other nodes keep running"), line);
    List<String> restart = List.of(line.substring(line.indexOf(command) + command.length()).split(" "));
    assertEquals("node", restart.get(0));
    NodeOptions parsed = NodeOptions.parse(restart.subList(1, restart.size()));
    assertEquals("n3", parsed.id().value(), "the restart command starts the same node");
    assertEquals(Path.of("data", "n3"), parsed.dir(), "on its data");
    assertEquals("segment", parsed.logStore(), "with its log store");
  }

  /** On the http transport the nodes are named by their addresses, and their directories too (':' as '-'). */
  /**
   * A Ctrl-C reaches the nodes and {@code cluster} at once: a node that ends before the
   * cluster's shutdown hook ran is not reported as "exited; the other nodes keep running".
   */
  @Test
  void aNodeThatEndsJustBeforeTheClusterMarksItselfStoppingIsNotReported() {
    CompletableFuture<Void> exited = new CompletableFuture<>();
    AtomicBoolean stopping = new AtomicBoolean();
    List<Runnable> afterGrace = new ArrayList<>();
    List<String> reported = new ArrayList<>();
    LocalCluster.reportExitUnlessStopping(exited, stopping::get, afterGrace::add, () -> reported.add("exit line"));

    exited.complete(null); // the node's JVM handled the SIGINT first
    stopping.set(true); // then this process's shutdown hook
    afterGrace.forEach(Runnable::run);

    assertEquals(List.of(), reported);
  }

  @Test
  void aNodeThatEndsWhileTheClusterRunsIsReportedOnceTheGraceIsOver() {
    CompletableFuture<Void> exited = new CompletableFuture<>();
    List<Runnable> afterGrace = new ArrayList<>();
    List<String> reported = new ArrayList<>();
    LocalCluster.reportExitUnlessStopping(exited, () -> false, afterGrace::add, () -> reported.add("exit line"));

    exited.complete(null);
    afterGrace.forEach(Runnable::run);

    assertEquals(List.of("exit line"), reported);
  }

  @Test
  void httpTransportNodesAreNamedByTheirAddresses() {
    List<NodeSpec> members = LocalCluster.members("http");
    List<String> lines = LocalCluster.banner(Path.of("data"), members, List.of("a", "b", "c"));
    assertEquals("a (data " + Path.of("data", "127.0.0.1-8081") + File.separator + ", log "
        + Path.of("data", "127.0.0.1-8081.log") + ")", lines.get(1));
  }

  @Test
  void withTlsEveryAddressIsHttpsAndCurlAndTheBrowserAreToldToTrustTheThrowawayCa() {
    Path dir = Path.of("data");
    String ca = dir.resolve("tls").resolve("ca.pem").toString();
    List<String> started = List.of("n1 serving HTTP on https://127.0.0.1:8081 …", "n2 …", "n3 …");
    List<String> lines = LocalCluster.banner(dir, LocalCluster.members("netty"), started, true);

    assertEquals("Watch the cluster: https://127.0.0.1:8081/ (any node's / shows every member, live)", lines.get(0));
    assertTrue(lines.get(1).contains(ca), lines.get(1));
    assertTrue(lines.get(2).startsWith(started.get(0)), lines.get(2));
    assertTrue(lines.contains("  curl --cacert " + ca + " -L -X PUT -d bar https://127.0.0.1:8081/kv/foo"), lines.toString());
    assertTrue(lines.stream().noneMatch(line -> line.contains("http://")), lines.toString());
  }

  @Test
  void tlsNeedsTheNettyTransport() {
    assertTrue(LocalCluster.parse(List.of("--tls")).tls());
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> LocalCluster.parse(List.of("--tls", "--transport", "http")));
    assertEquals("--tls needs the netty transport, not --transport http", refused.getMessage());
  }
}
