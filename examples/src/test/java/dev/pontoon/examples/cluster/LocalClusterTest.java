package dev.pontoon.examples.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code pontoon-kv cluster} prints once its three nodes are started. */
class LocalClusterTest {
  @Test
  void printsTheClusterPagesAddressFirstThenEachNodeAndTheLinesToTry() {
    List<String> lines = LocalCluster.banner(Path.of("data"), LocalCluster.members());

    assertEquals("Watch the cluster: http://127.0.0.1:8081/ (any node's / shows every member, live)", lines.get(0));
    assertTrue(lines.get(1).startsWith("n1 http://127.0.0.1:8081 (raft 127.0.0.1:9081"), lines.get(1));
    assertTrue(lines.contains("  curl -L -X PUT -d bar http://127.0.0.1:8081/kv/foo"), lines.toString());
    assertEquals("Ctrl-C stops all three.", lines.get(lines.size() - 1));
  }

  @Test
  void withTlsEveryAddressIsHttpsAndCurlAndTheBrowserAreToldToTrustTheThrowawayCa() {
    Path dir = Path.of("data");
    String ca = dir.resolve("tls").resolve("ca.pem").toString();
    List<String> lines = LocalCluster.banner(dir, LocalCluster.members(), true);

    assertEquals("Watch the cluster: https://127.0.0.1:8081/ (any node's / shows every member, live)", lines.get(0));
    assertTrue(lines.get(1).contains(ca), lines.get(1));
    assertTrue(lines.contains("  curl --cacert " + ca + " -L -X PUT -d bar https://127.0.0.1:8081/kv/foo"), lines.toString());
    assertTrue(lines.stream().noneMatch(line -> line.contains("http://")), lines.toString());
  }
}
