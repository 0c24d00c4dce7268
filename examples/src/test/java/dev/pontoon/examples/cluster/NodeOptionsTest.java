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
    assertEquals("http", NodeOptions.parse(args("--transport", "http")).transport());
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
}
