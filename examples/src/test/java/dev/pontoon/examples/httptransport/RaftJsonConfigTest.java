package dev.pontoon.examples.httptransport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How a cluster configuration travels in the HTTP transport's JSON (install-snapshot's {@code config}). */
class RaftJsonConfigTest {
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");
  private static final NodeId N4 = NodeId.of("n4");

  @Test
  void jointConfigurationWithAddressesRoundTrips() {
    ClusterConfig joint = new ClusterConfig(Set.of(N1, N2, N4), Set.of(), Set.of(N1, N2, N3),
        Map.of(N4, "raft=10.0.0.4:9084;http=10.0.0.4:8084"));
    ObjectNode o = RaftJson.JSON.createObjectNode();
    RaftJson.encodeConfig(o, joint);
    assertEquals("{\"voters\":[\"n1\",\"n2\",\"n4\"],\"learners\":[],\"outgoing-voters\":[\"n1\",\"n2\",\"n3\"],"
        + "\"addresses\":{\"n4\":\"raft=10.0.0.4:9084;http=10.0.0.4:8084\"}}", o.toString());
    assertEquals(joint, RaftJsonTrees.decodeConfig(o));
  }

  /** A configuration without joint halves or addresses is written exactly as the specification shows it. */
  @Test
  void plainConfigurationKeepsTheSpecificationsForm() throws Exception {
    ObjectNode o = RaftJson.JSON.createObjectNode();
    RaftJson.encodeConfig(o, new ClusterConfig(Set.of(N1, N2), Set.of(N3)));
    assertEquals("{\"voters\":[\"n1\",\"n2\"],\"learners\":[\"n3\"]}", o.toString());
    JsonNode spec = RaftJson.JSON.readTree("{\"voters\":[\"n1\",\"n2\"],\"learners\":[]}");
    assertEquals(ClusterConfig.ofVoters("n1", "n2"), RaftJsonTrees.decodeConfig(spec));
  }

  @Test
  void malformedAddressesAreRefusedNamingTheField() throws Exception {
    JsonNode notAnObject = RaftJson.JSON.readTree("{\"voters\":[\"n1\"],\"addresses\":[\"x\"]}");
    assertEquals("\"addresses\" must be an object of node id to address",
        assertThrows(IllegalArgumentException.class, () -> RaftJsonTrees.decodeConfig(notAnObject)).getMessage());
    JsonNode notText = RaftJson.JSON.readTree("{\"voters\":[\"n1\"],\"addresses\":{\"n1\":7}}");
    assertThrows(IllegalArgumentException.class, () -> RaftJsonTrees.decodeConfig(notText));
    JsonNode ofAStranger = RaftJson.JSON.readTree("{\"voters\":[\"n1\"],\"addresses\":{\"n9\":\"h:1\"}}");
    assertThrows(IllegalArgumentException.class, () -> RaftJsonTrees.decodeConfig(ofAStranger));
  }
}
