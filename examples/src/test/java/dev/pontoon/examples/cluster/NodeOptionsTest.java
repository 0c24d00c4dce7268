package dev.pontoon.examples.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flags of {@code pontoon-kv}: parsed as documented; every mistake is named, and the launcher exits 2. */
class NodeOptionsTest {
  private static final String PEERS = "n1=127.0.0.1:8081/127.0.0.1:9081,n2=127.0.0.1:8082/127.0.0.1:9082,"
      + "n3=127.0.0.1:8083/127.0.0.1:9083";

  private static List<String> args(String... extra) {
    List<String> all = new ArrayList<>(List.of("--id", "n2", "--http", "127.0.0.1:8082", "--raft", "127.0.0.1:9082",
        "--dir", "data/n2", "--peers", PEERS));
    all.addAll(List.of(extra));
    return all;
  }

  @Test
  void parsesEveryFlagAndDefaultsToTheNettyTransport() {
    NodeOptions options = NodeOptions.parse(args());
    assertEquals(NodeId.of("n2"), options.id());
    assertEquals(9082, options.raft().getPort());
    assertEquals(Path.of("data/n2"), options.dir());
    assertEquals(3, options.members().size());
    assertEquals("netty", options.transport());
  }

  /**
   * With {@code --transport http} a node's id defaults to its {@code host:port}, {@code /raft/*} is
   * served on its HTTP address, and peers are written {@code host:port} or {@code id=host:port}.
   */
  @Test
  void httpTransportIdDefaultsToTheHttpAddressWhichAlsoServesRaft() {
    NodeOptions options = NodeOptions.parse(List.of("--transport", "http", "--http", "127.0.0.1:8082", "--dir", "d",
        "--peers", "127.0.0.1:8081,127.0.0.1:8082,n3=127.0.0.1:8083"));
    assertEquals(NodeId.of("127.0.0.1:8082"), options.id());
    assertEquals(options.http(), options.raft());
    assertEquals(List.of("127.0.0.1:8081", "127.0.0.1:8082", "n3=127.0.0.1:8083"),
        options.members().stream().map(NodeSpec::toString).toList());
    assertEquals(NodeId.of("n2"), NodeOptions.parse(List.of("--transport", "http", "--id", "n2", "--http", "127.0.0.1:8082",
        "--raft", "127.0.0.1:8082", "--dir", "d", "--peers", "127.0.0.1:8081")).id());
  }

  /** {@code pontoon-kv cluster --transport http}: three nodes named by their addresses, Raft on their HTTP ports. */
  @Test
  void clusterWithTheHttpTransportStartsNodesNamedByTheirAddressesServingRaftOnTheirHttpPorts() {
    LocalCluster.Options options = LocalCluster.parse(List.of("--transport", "http", "--dir", "data"));
    List<NodeSpec> members = LocalCluster.members(options.transport());
    for (NodeSpec member : members) {
      List<String> command = LocalCluster.nodeArguments(member, members, options);
      assertEquals("node", command.get(0));
      NodeOptions node = NodeOptions.parse(command.subList(1, command.size()));
      assertEquals("http", node.transport());
      assertEquals(member.id(), node.id());
      assertEquals(node.http(), node.raft());
      assertEquals(Path.of("data", member.id().value().replace(':', '-')), node.dir());
      assertEquals(members, node.members());
    }
    assertEquals(List.of("127.0.0.1:8081", "127.0.0.1:8082", "127.0.0.1:8083"),
        members.stream().map(m -> m.id().value()).toList());
    assertEquals("netty", LocalCluster.parse(List.of()).transport());
    List<NodeSpec> netty = LocalCluster.members("netty");
    List<String> first = LocalCluster.nodeArguments(netty.get(0), netty, LocalCluster.parse(List.of()));
    assertEquals(NodeId.of("n1"), NodeOptions.parse(first.subList(1, first.size())).id());
  }

  @Test
  void httpTransportRefusesASeparateRaftAddress() {
    assertEquals("--raft 127.0.0.1:9082 differs from --http 127.0.0.1:8082: with --transport http, /raft/* is served on "
        + "the HTTP port; leave --raft out", assertThrows(IllegalArgumentException.class,
            () -> NodeOptions.parse(args("--transport", "http"))).getMessage());
    assertEquals("peer 'n1=127.0.0.1:8081/127.0.0.1:9081': with --transport http a member serves /raft/* on its HTTP "
        + "address, so write host:port or id=host:port, without a separate Raft address",
        assertThrows(IllegalArgumentException.class, () -> NodeOptions.parse(List.of("--transport", "http", "--http",
            "127.0.0.1:8082", "--dir", "d", "--peers", PEERS))).getMessage());
  }

  @Test
  void snapshotEveryDefaultsToTenThousandEntriesAndZeroTurnsCompactionOff() {
    assertEquals(10_000, NodeOptions.parse(args()).snapshotEvery());
    assertEquals(20, NodeOptions.parse(args("--snapshot-every", "20")).snapshotEvery());
    assertEquals(0, NodeOptions.parse(args("--snapshot-every", "0")).snapshotEvery());
    assertEquals(50, LocalCluster.parse(List.of("--snapshot-every", "50")).snapshotEvery());
    assertEquals(10_000, LocalCluster.parse(List.of()).snapshotEvery());
    assertTrue(NodeOptions.USAGE.contains("--snapshot-every N"), NodeOptions.USAGE);
  }

  @Test
  void logRetainDefaultsToAThousandEntriesAndIsPassedToEveryNode() {
    assertEquals(1_000, NodeOptions.parse(args()).logRetain());
    assertEquals(20, NodeOptions.parse(args("--log-retain", "20")).logRetain());
    assertEquals(0, NodeOptions.parse(args("--log-retain", "0")).logRetain());
    LocalCluster.Options cluster = LocalCluster.parse(List.of("--log-retain", "7"));
    assertEquals(7, cluster.logRetain());
    assertTrue(String.join(" ", LocalCluster.nodeArguments(LocalCluster.members("netty").get(0),
        LocalCluster.members("netty"), cluster)).contains("--log-retain 7"));
    assertTrue(NodeOptions.USAGE.contains("--log-retain N"), NodeOptions.USAGE);
  }

  @Test
  void logStoreDefaultsToRocksDbAndIsPassedToEveryNode() {
    assertEquals("rocksdb", NodeOptions.parse(args()).logStore());
    assertEquals("segment", NodeOptions.parse(args("--log-store", "segment")).logStore());
    LocalCluster.Options cluster = LocalCluster.parse(List.of("--log-store", "segment"));
    List<String> first = LocalCluster.nodeArguments(LocalCluster.members("netty").get(0), LocalCluster.members("netty"),
        cluster);
    assertEquals("segment", NodeOptions.parse(first.subList(1, first.size())).logStore());
    assertEquals("rocksdb", LocalCluster.parse(List.of()).logStore());
    assertTrue(NodeOptions.USAGE.contains("--log-store rocksdb|segment"), NodeOptions.USAGE);
  }

  @Test
  void aLogStoreOtherThanRocksDbOrSegmentIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeOptions.parse(args("--log-store", "leveldb")));
    assertEquals("--log-store must be rocksdb or segment, not 'leveldb'", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LocalCluster.parse(List.of("--log-store", "")));
  }

  @Test
  void aLogMarginThatIsNotAWholeNumberOfEntriesIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeOptions.parse(args("--log-retain", "-3")));
    assertTrue(e.getMessage().contains("--log-retain"), e.getMessage());
  }

  @Test
  void aSnapshotIntervalThatIsNotAWholeNumberOfEntriesIsRefused(@TempDir Path dir) {
    for (String bad : List.of("x", "1.5", "-3", "99999999999999999999")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> NodeOptions.parse(args("--snapshot-every", bad)));
      assertEquals("--snapshot-every must be a number of entries, 0 or more, not '" + bad + "'", e.getMessage());
    }
    assertEquals("--snapshot-every must be a number of entries, 0 or more, not '-1'",
        assertThrows(IllegalArgumentException.class, () -> LocalCluster.parse(List.of("--snapshot-every", "-1")))
            .getMessage());
    assertEquals("snapshotEvery (-1) must be 0 (never) or positive", assertThrows(IllegalArgumentException.class,
        () -> KvNode.start(NodeId.of("n1"), List.of(), dir, "netty", -1)).getMessage());
  }

  @Test
  void badFlagsAreRefusedWithAMessageNamingTheProblem() {
    String[][] cases = {
        {"unknown flag '--nope'", "--nope", "x"},
        {"--transport must be netty or http, not 'udp'", "--transport", "udp"},
        {"--id is given twice", "--id", "n3"},
        {"--transport needs a value", "--transport"},
    };
    for (String[] c : cases) {
      List<String> extra = List.of(c).subList(1, c.length);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> NodeOptions.parse(args(extra.toArray(String[]::new))));
      assertEquals(c[0], e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> NodeOptions.parse(List.of("--id", "n1")))
        .getMessage().startsWith("missing"));
    assertThrows(IllegalArgumentException.class, () -> NodeSpec.parse("n1=127.0.0.1:80"));
    assertThrows(IllegalArgumentException.class, () -> NodeSpec.parse("n1=127.0.0.1:x/127.0.0.1:90"));
    assertThrows(IllegalArgumentException.class, () -> NodeSpec.parse("n1=127.0.0.1:70000/127.0.0.1:90"));
  }

  /**
   * {@code --peers} may list this node, but only with the addresses its own flags give: a
   * conflict is refused with both spellings, instead of the listed addresses silently winning.
   */
  @Test
  void peersThatGiveThisNodeOtherAddressesThanItsFlagsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeOptions.parse(List.of("--id", "n2", "--http", "127.0.0.1:18082", "--raft", "127.0.0.1:9082",
            "--dir", "data/n2", "--peers", PEERS)));
    assertEquals("--peers lists this node as n2=127.0.0.1:8082/127.0.0.1:9082 but its flags say "
        + "n2=127.0.0.1:18082/127.0.0.1:9082 (--http, --raft): make them agree, or leave n2 out of --peers", e.getMessage());
    assertEquals(3, NodeOptions.parse(args()).members().size(), "listed with the same addresses is fine");
  }

  /** The banner shows the addresses the node is bound to, so a port 0 shows the port it got. */
  @Test
  void startBannerPrintsTheBoundAddresses(@TempDir Path dir) {
    NodeOptions options = NodeOptions.parse(List.of("--id", "solo", "--http", "127.0.0.1:0", "--raft", "127.0.0.1:0",
        "--dir", dir.toString(), "--peers", "solo=127.0.0.1:0/127.0.0.1:0", "--snapshot-every", "0"));
    try (KvNode node = KvNode.start(options.id(), options.members(), options.dir(), options.transport(), 0)) {
      String banner = PontoonKv.banner(options, node);
      assertEquals("solo serving HTTP on http://127.0.0.1:" + node.httpAddress().getPort()
          + " (the cluster page at /) and Raft (netty) on 127.0.0.1:"
          + node.raftAddress().getPort() + ", never compacting", banner);
      assertTrue(node.raftAddress().getPort() > 0 && node.httpAddress().getPort() > 0, banner);
    }
  }

  @Test
  void launcherPrintsTheErrorAndUsageAndExits2OnBadFlags() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        PontoonKv.class.getName(), "node", "--id", "n1", "--bogus", "1").redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, process.exitValue(), output);
    assertTrue(output.contains("pontoon-kv: unknown flag '--bogus'"), output);
    assertTrue(output.contains("usage: pontoon-kv node --id ID"), output);
  }

  /** {@code --join} replaces {@code --peers}: the node knows only itself until the cluster answers. */
  @Test
  void joinTakesAMembersHttpApiInsteadOfPeers() {
    NodeOptions options = NodeOptions.parse(List.of("--id", "n4", "--http", "127.0.0.1:8084", "--raft", "127.0.0.1:9084",
        "--dir", "data/n4", "--join", "http://127.0.0.1:8081"));
    assertEquals(java.net.URI.create("http://127.0.0.1:8081"), options.join());
    assertEquals(List.of("n4=127.0.0.1:8084/127.0.0.1:9084"), options.members().stream().map(NodeSpec::toString).toList());
    assertEquals(null, NodeOptions.parse(args()).join());
  }

  @Test
  void joinWithPeersOrWithoutAnHttpUrlIsRefusedNamingTheRule() {
    assertEquals("give --peers (a new cluster) or --join (join a running one), not both",
        assertThrows(IllegalArgumentException.class, () -> NodeOptions.parse(args("--join", "http://127.0.0.1:8081")))
            .getMessage());
    for (String bad : List.of("127.0.0.1:8081", "ftp://h:1", "http://h", "http://:8081", "http://h:1 x")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeOptions.parse(List.of("--id",
          "n4", "--http", "127.0.0.1:8084", "--raft", "127.0.0.1:9084", "--dir", "d", "--join", bad)));
      assertTrue(e.getMessage().startsWith("--join must be a member's HTTP API"), bad + ": " + e.getMessage());
    }
    assertEquals("missing --peers", assertThrows(IllegalArgumentException.class, () -> NodeOptions.parse(List.of(
        "--id", "n4", "--http", "127.0.0.1:8084", "--raft", "127.0.0.1:9084", "--dir", "d"))).getMessage());
  }

  /** With {@code --tls-*} the members serve HTTPS: a plain {@code http://} join would send the admin token in clear. */
  @Test
  void joinOverPlainHttpWithTlsConfiguredIsRefused() {
    List<String> tls = List.of("--id", "n4", "--http", "127.0.0.1:8084", "--raft", "127.0.0.1:9084", "--dir", "d",
        "--tls-cert", "c.pem", "--tls-key", "k.pem", "--tls-ca", "ca.pem", "--join");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NodeOptions.parse(concat(tls, "http://127.0.0.1:8081")));
    assertEquals("--join http://127.0.0.1:8081 with --tls-cert, --tls-key and --tls-ca: the members serve HTTPS,"
        + " so join through https://127.0.0.1:8081", e.getMessage());
    assertEquals(java.net.URI.create("https://127.0.0.1:8081"),
        NodeOptions.parse(concat(tls, "https://127.0.0.1:8081")).join());
  }

  private static List<String> concat(List<String> args, String last) {
    List<String> all = new ArrayList<>(args);
    all.add(last);
    return all;
  }
}
