package dev.pontoon.examples.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
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

  /** On the http transport the nodes are named by their addresses, and their directories too (':' as '-'). */
  @Test
  void httpTransportNodesAreNamedByTheirAddresses() {
    List<NodeSpec> members = LocalCluster.members("http");
    List<String> lines = LocalCluster.banner(Path.of("data"), members, List.of("a", "b", "c"));
    assertEquals("a (data " + Path.of("data", "127.0.0.1-8081") + File.separator + ", log "
        + Path.of("data", "127.0.0.1-8081.log") + ")", lines.get(1));
  }
}
