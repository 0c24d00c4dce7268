package dev.pontoon.examples.maelstrom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.InstallSnapshot;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A snapshot's configuration in a Maelstrom body: joint halves and addresses survive the trip. */
class RaftBodiesConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");

  @Test
  void installSnapshotKeepsAJointConfigurationAndAddresses() {
    ClusterConfig joint = new ClusterConfig(Set.of(N1, N2), Set.of(NodeId.of("n4")), Set.of(N1, NodeId.of("n3")),
        Map.of(NodeId.of("n4"), "n4:1"));
    InstallSnapshot snapshot = new InstallSnapshot(N1, N2, 2, 10, 2, joint, 0, Bytes.ofUtf8("s"), true);
    ObjectNode body = RaftBodies.encode(JSON, snapshot);
    assertEquals(snapshot, RaftBodies.decode(N1, N2, body));
  }

  @Test
  void plainConfigurationBodyHasNoNewFields() {
    InstallSnapshot snapshot = new InstallSnapshot(N1, N2, 2, 10, 2, ClusterConfig.ofVoters("n1", "n2"), 0,
        Bytes.ofUtf8("s"), true);
    ObjectNode body = RaftBodies.encode(JSON, snapshot);
    assertFalse(body.has("outgoing_voters") || body.has("addresses"), body.toString());
    assertEquals(snapshot, RaftBodies.decode(N1, N2, body));
  }
}
