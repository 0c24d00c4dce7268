package dev.pontoon.raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValueValidationTest {

  @Test
  void logEntryRejectsIndexBelowOneWithTheRuleAndValue() {
    var e = assertThrows(IllegalArgumentException.class, () -> LogEntry.noOp(0, 1));
    assertEquals("index (0) must be >= 1", e.getMessage());
  }

  @Test
  void logEntryRejectsTermBelowOne() {
    var e = assertThrows(IllegalArgumentException.class, () -> LogEntry.noOp(1, 0));
    assertEquals("term (0) must be >= 1", e.getMessage());
  }

  @Test
  void hardStateRejectsNegativeTerm() {
    assertThrows(IllegalArgumentException.class, () -> new HardState(-1, null));
  }

  @Test
  void hardStateRejectsNegativeCommitIndex() {
    var e = assertThrows(IllegalArgumentException.class, () -> new HardState(1, null, -1));
    assertEquals("commitIndex (-1) must be >= 0", e.getMessage());
  }

  @Test
  void nodeIdRejectsBlankWhitespaceAndOverlongIds() {
    assertThrows(IllegalArgumentException.class, () -> NodeId.of(" "));
    assertThrows(IllegalArgumentException.class, () -> NodeId.of("a b"));
    assertThrows(IllegalArgumentException.class, () -> NodeId.of("x".repeat(256)));
    assertEquals("n1", NodeId.of("n1").toString());
  }

  @Test
  void nodeIdsAreEqualByValueAndHashAsTheirValue() {
    NodeId n1 = NodeId.of("n1");
    assertEquals(n1, NodeId.of("n1"));
    assertNotEquals(n1, NodeId.of("n2"));
    assertNotEquals(n1, "n1");
    assertNotEquals(n1, null);
    // The hash a record generates for one String component: keeping it keeps hash-map orders,
    // and with them the simulator's schedules for a seed.
    assertEquals("n1".hashCode(), n1.hashCode());
  }

  @Test
  void clusterConfigNeedsAVoterAndDisjointSets() {
    assertThrows(IllegalArgumentException.class, () -> new ClusterConfig(Set.of(), Set.of()));
    var e = assertThrows(IllegalArgumentException.class,
        () -> new ClusterConfig(Set.of(NodeId.of("n1")), Set.of(NodeId.of("n1"))));
    assertTrue(e.getMessage().contains("n1"));
  }

  @Test
  void clusterConfigRoundTripsThroughBytes() {
    ClusterConfig config = new ClusterConfig(Set.of(NodeId.of("n1"), NodeId.of("n2"), NodeId.of("n3")),
        Set.of(NodeId.of("l1")));
    assertEquals(config, ClusterConfig.fromBytes(config.toBytes()));
    assertEquals(2, config.quorum());
  }

  @Test
  void clusterConfigFromMalformedBytesIsAClearError() {
    assertThrows(IllegalArgumentException.class, () -> ClusterConfig.fromBytes(Bytes.of(new byte[] {0, 0})));
    assertThrows(IllegalArgumentException.class, () -> ClusterConfig.fromBytes(Bytes.of(new byte[] {-1, -1, -1, -1})));
    byte[] trailing = ClusterConfig.ofVoters("n1").toBytes().toByteArray();
    byte[] longer = java.util.Arrays.copyOf(trailing, trailing.length + 1);
    assertThrows(IllegalArgumentException.class, () -> ClusterConfig.fromBytes(Bytes.wrap(longer)));
  }
}
