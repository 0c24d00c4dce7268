package dev.pontoon.raft.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterConfigEncodingTest {
  private static final NodeId A = NodeId.of("a");
  private static final NodeId B = NodeId.of("b");
  private static final NodeId C = NodeId.of("c");
  private static final NodeId D = NodeId.of("d");

  @Test
  void jointConfigurationWithAddressesSurvivesTheRoundTrip() {
    ClusterConfig joint = new ClusterConfig(Set.of(A, B, D), Set.of(C), Set.of(A, B, C),
        Map.of(A, "10.0.0.1:7001", D, "host-d:7001"));
    ClusterConfig decoded = ClusterConfig.fromBytes(joint.toBytes());
    assertEquals(joint, decoded);
    assertTrue(decoded.isJoint());
    assertEquals(Set.of(A, B, C, D), decoded.allVoters());
    assertEquals("host-d:7001", decoded.address(D).orElseThrow());
    assertFalse(decoded.address(B).isPresent());
  }

  @Test
  void configurationWrittenByVersionOneStillDecodes() throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(2);
      out.writeUTF("a");
      out.writeUTF("b");
      out.writeInt(1);
      out.writeUTF("c");
    }
    assertEquals(new ClusterConfig(Set.of(A, B), Set.of(C)), ClusterConfig.fromBytes(Bytes.wrap(buffer.toByteArray())));
  }

  @Test
  void encodingOfALaterVersionIsRefusedWithAClearError() throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      out.writeInt(-3);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterConfig.fromBytes(Bytes.wrap(buffer.toByteArray())));
    assertTrue(e.getMessage().contains("unknown cluster configuration encoding"), e.getMessage());
  }

  @Test
  void addressOfANonMemberIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new ClusterConfig(Set.of(A), Set.of(), Set.of(), Map.of(B, "x:1")));
  }
}
