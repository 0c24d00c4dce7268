package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {
  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  /** Two members drawing the same port was one way a test cluster failed to start ("Address already in use"). */
  @Test
  void addressesOfTestClustersNeverRepeatWithinOneRun() {
    List<NodeId> ids = List.of(NodeId.of("a"), NodeId.of("b"), NodeId.of("c"));
    Set<Integer> seen = new HashSet<>();
    for (int cluster = 0; cluster < 200; cluster++) {
      new LoopbackCluster(ids).addresses().values()
          .forEach(address -> assertTrue(seen.add(address.getPort()), "port " + address.getPort() + " given twice"));
    }
  }

  @Test
  void portsAreOutsideTheKernelsEphemeralRange() throws Exception {
    String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
    int first = Integer.parseInt(range[0]);
    int last = Integer.parseInt(range[1]);
    LoopbackPorts.take(100).forEach(port ->
        assertTrue(port < first || port > last, port + " is in the ephemeral range " + first + "-" + last));
  }

  @Test
  void portsAreDrawnBelowTheEphemeralRangeAboveItOrAnywhereAsRoomAllows() {
    assertArrayEquals(new int[] {10_000, 32_767}, LoopbackPorts.range(new int[] {32_768, 60_999}), "Linux default");
    assertArrayEquals(new int[] {50_001, 65_535}, LoopbackPorts.range(new int[] {1_024, 50_000}), "a range from 1024");
    assertArrayEquals(new int[] {10_000, 64_999}, LoopbackPorts.range(new int[] {65_000, 65_535}), "a range at the top");
    assertArrayEquals(new int[] {10_000, 65_535}, LoopbackPorts.range(new int[] {1_024, 65_000}), "no room on either side");
  }

  @Test
  void anExhaustedPoolRefusesWithAClearError() {
    int low = LoopbackPorts.takeOne() / 8 * 8;
    LoopbackPorts pool = new LoopbackPorts(new int[] {low, low + 3});
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> IntStream.range(0, 5).forEach(i -> pool.draw(1)));
    assertTrue(refused.getMessage().contains("no free loopback port left in [" + low + ", " + (low + 3) + "]"),
        refused.getMessage());
  }

  @Test
  void aDrawGivesDistinctPortsThatWereFree() {
    List<Integer> ports = LoopbackPorts.take(50);
    assertEquals(50, Set.copyOf(ports).size());
    assertFalse(ports.stream().anyMatch(port -> port < 10_000));
    assertThrows(IllegalArgumentException.class, () -> LoopbackPorts.take(-1));
  }
}
