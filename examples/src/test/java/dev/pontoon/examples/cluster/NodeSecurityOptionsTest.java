package dev.pontoon.examples.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TLS and admin flags of {@code pontoon-kv}: parsed, checked together, every mistake named. */
class NodeSecurityOptionsTest {
  /** The other members; n2 itself is not listed, so each test gives its own --http. */
  private static final String PEERS = "n1=127.0.0.1:8081/127.0.0.1:9081,n3=127.0.0.1:8083/127.0.0.1:9083";

  private static List<String> args(String http, String... extra) {
    List<String> all = new ArrayList<>(List.of("--id", "n2", "--http", http, "--raft", "127.0.0.1:9082",
        "--dir", "data/n2", "--peers", PEERS));
    all.addAll(List.of(extra));
    return all;
  }

  @Test
  void nonLoopbackHttpWithUnguardedAdminEndpointsIsRefusedUnlessToldInsecureAdmin(@TempDir Path dir)
      throws IOException {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeOptions.parse(args("0.0.0.0:8082")));
    assertTrue(e.getMessage().startsWith("--http 0.0.0.0:8082 is not a loopback address, and the admin endpoints"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--admin-token-file FILE or --admin-client-cert, or accept the risk with"
        + " --insecure-admin"), e.getMessage());

    assertTrue(NodeOptions.parse(args("0.0.0.0:8082", "--insecure-admin")).security().insecureAdmin());
    Path token = Files.writeString(dir.resolve("admin.token"), "0123456789abcdef0123");
    assertEquals(token, NodeOptions.parse(args("0.0.0.0:8082", "--admin-token-file", token.toString())).security()
        .adminTokenFile());
    assertFalse(NodeOptions.parse(args("127.0.0.1:8082")).security().tls(), "loopback needs no guard");
  }

  @Test
  void nodeStartedProgrammaticallyRefusesTheSameExposure(@TempDir Path dir) {
    List<NodeSpec> members = List.of(NodeSpec.parse("n1=0.0.0.0:0/127.0.0.1:0"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KvNode.start(NodeId.of("n1"), members, dir, "netty", 0, NodeSecurity.NONE));
    assertTrue(e.getMessage().contains("is not a loopback address"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("log")), "refused before anything was opened");
  }

  @Test
  void tlsFlagsGoTogetherAndClientCertificateAdminNeedsThem() {
    assertEquals("--tls-cert, --tls-key and --tls-ca go together; missing --tls-key",
        assertThrows(IllegalArgumentException.class,
            () -> NodeOptions.parse(args("127.0.0.1:8082", "--tls-cert", "c.pem", "--tls-ca", "ca.pem"))).getMessage());
    assertEquals("--admin-client-cert needs --tls-cert, --tls-key and --tls-ca",
        assertThrows(IllegalArgumentException.class,
            () -> NodeOptions.parse(args("127.0.0.1:8082", "--admin-client-cert"))).getMessage());
    assertEquals("--tls-cert, --tls-key and --tls-ca need --transport netty",
        assertThrows(IllegalArgumentException.class, () -> NodeOptions.parse(args("127.0.0.1:8082", "--transport",
            "http", "--tls-cert", "c", "--tls-key", "k", "--tls-ca", "ca"))).getMessage());
    NodeSecurity security = NodeOptions.parse(args("0.0.0.0:8082", "--tls-cert", "c.pem", "--tls-key", "k.pem",
        "--tls-ca", "ca.pem", "--admin-client-cert")).security();
    assertTrue(security.tls() && security.adminClientCertificate());
    assertEquals("--insecure-admin is given twice", assertThrows(IllegalArgumentException.class,
        () -> NodeOptions.parse(args("127.0.0.1:8082", "--insecure-admin", "--insecure-admin"))).getMessage());
  }

  @Test
  void clusterTlsMakesAThrowawayCaAndACertificatePerNode(@TempDir Path dir) throws IOException {
    assertTrue(LocalCluster.parse(List.of("--tls")).tls());
    assertFalse(LocalCluster.parse(List.of()).tls());
    Map<NodeId, List<String>> flags = LocalCluster.tlsFlags(dir, LocalCluster.members("netty"), true);
    assertEquals(3, flags.size());
    List<String> n1 = flags.get(NodeId.of("n1"));
    assertEquals(List.of("--tls-cert", "--tls-key", "--tls-ca"), List.of(n1.get(0), n1.get(2), n1.get(4)));
    for (int i = 1; i < n1.size(); i += 2) {
      assertTrue(Files.isReadable(Path.of(n1.get(i))), n1.get(i));
    }
    assertTrue(Files.readString(Path.of(n1.get(3))).contains("-----BEGIN PRIVATE KEY-----"), "PKCS#8 key");
    assertEquals(List.of(), LocalCluster.tlsFlags(dir, LocalCluster.members("netty"), false).get(NodeId.of("n1")));
  }
}
