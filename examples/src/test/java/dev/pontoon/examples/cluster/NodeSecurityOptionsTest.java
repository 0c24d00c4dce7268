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

  /**
   * A Raft address other hosts can reach takes Raft messages from anyone unless the Raft route is
   * authenticated: a node refuses to start there without TLS (netty) or {@code --raft-secret-file},
   * and the error names both and {@code --insecure-raft}. On the http transport the HTTP address
   * is the Raft address, whatever guards the admin endpoints.
   */
  @Test
  void aNonLoopbackRaftAddressWithoutTlsOrSecretIsRefusedNamingTheFlags(@TempDir Path dir) throws IOException {
    IllegalArgumentException netty = assertThrows(IllegalArgumentException.class,
        () -> NodeOptions.parse(nettyArgs("0.0.0.0:9082")));
    assertEquals("--raft 0.0.0.0:9082 is not a loopback address, and Raft messages (which change the log, the term"
        + " and the membership) would be taken from anyone who reaches it: authenticate the peers with"
        + " --raft-secret-file FILE or --tls-cert, --tls-key and --tls-ca, or accept the risk with --insecure-raft",
        netty.getMessage());

    Path token = Files.writeString(dir.resolve("admin.token"), "0123456789abcdef0123");
    IllegalArgumentException http = assertThrows(IllegalArgumentException.class,
        () -> NodeOptions.parse(httpArgs("--admin-token-file", token.toString())));
    assertEquals("--http 10.0.0.4:8081 serves /raft/* (--transport http) and is not a loopback address, and Raft"
        + " messages (which change the log, the term and the membership) would be taken from anyone who reaches it:"
        + " authenticate the peers with --raft-secret-file FILE, or accept the risk with --insecure-raft",
        http.getMessage());
    assertTrue(NodeOptions.USAGE.contains("--raft-secret-file FILE") && NodeOptions.USAGE.contains("--insecure-raft"),
        NodeOptions.USAGE);
  }

  @Test
  void aNonLoopbackRaftAddressStartsWithTheSecretTlsOrInsecureRaft(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("raft.secret"), "0123456789abcdef0123456789abcdef\n");
    assertEquals(secret, NodeOptions.parse(nettyArgs("0.0.0.0:9082", "--raft-secret-file", secret.toString()))
        .security().raftSecretFile());
    assertTrue(NodeOptions.parse(nettyArgs("0.0.0.0:9082", "--insecure-raft")).security().insecureRaft());
    assertTrue(NodeOptions.parse(nettyArgs("0.0.0.0:9082", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca",
        "ca.pem")).security().tls());
    assertEquals(secret, NodeOptions.parse(httpArgs("--insecure-admin", "--raft-secret-file", secret.toString()))
        .security().raftSecretFile());
    assertTrue(NodeOptions.parse(httpArgs("--insecure-admin", "--insecure-raft")).security().insecureRaft());
    assertFalse(NodeOptions.parse(nettyArgs("127.0.0.1:9082")).security().insecureRaft(), "loopback needs no secret");
  }

  @Test
  void aNodeStartedProgrammaticallyRefusesAnUnauthenticatedNonLoopbackRaftAddress(@TempDir Path dir) {
    List<NodeSpec> members = List.of(NodeSpec.parse("n1=127.0.0.1:0/0.0.0.0:0"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KvNode.start(NodeId.of("n1"), members, dir, "netty", 0, NodeSecurity.NONE));
    assertTrue(e.getMessage().contains("--insecure-raft"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("log")), "refused before anything was opened");
  }

  /** The Raft secret is read as the admin token is, with the Netty transport's minimum of 32 characters. */
  @Test
  void aShortRaftSecretIsRefusedWithTheRule(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("raft.secret"), "  only-twenty-chars-01\n");
    NodeSecurity security = NodeOptions.parse(nettyArgs("127.0.0.1:9082", "--raft-secret-file", secret.toString()))
        .security();
    assertEquals("the Raft secret in " + secret + " has 20 characters; at least 32 are needed",
        assertThrows(IllegalArgumentException.class, security::raftSecret).getMessage());
  }

  /** On the netty transport the KV node hands the secret file to the transport's authenticated handshake. */
  @Test
  void theNettyTransportGetsTheRaftSecretFile(@TempDir Path dir) throws IOException {
    Path secret = Files.writeString(dir.resolve("raft.secret"), "0123456789abcdef0123456789abcdef");
    NodeOptions options = NodeOptions.parse(nettyArgs("127.0.0.1:9082", "--raft-secret-file", secret.toString()));
    NodeSpec self = options.members().stream().filter(m -> m.id().equals(options.id())).findFirst().orElseThrow();
    assertEquals(secret, KvNode.nettyConfig(self, options.members(), options.security()).sharedSecretFile());
    assertEquals(null, KvNode.nettyConfig(self, options.members(), NodeSecurity.NONE).sharedSecretFile());
  }

  private static List<String> nettyArgs(String raft, String... extra) {
    List<String> all = new ArrayList<>(List.of("--id", "n2", "--http", "127.0.0.1:8082", "--raft", raft,
        "--dir", "data/n2", "--peers", PEERS));
    all.addAll(List.of(extra));
    return all;
  }

  private static List<String> httpArgs(String... extra) {
    List<String> all = new ArrayList<>(List.of("--transport", "http", "--http", "10.0.0.4:8081", "--dir", "data/n1",
        "--peers", "10.0.0.4:8081,10.0.0.5:8081,10.0.0.6:8081"));
    all.addAll(List.of(extra));
    return all;
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
