package dev.pontoon.examples.httptransport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.InstallSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * How a streamed snapshot's pieces travel in the HTTP transport's JSON: the specification's
 * {@code data} holds only the state machine's bytes, so that a peer written from the page installs
 * exactly them; Pontoon's checksum of the whole travels beside it.
 */
class RaftJsonSnapshotPieceTest {
  private static final NodeId LEADER = NodeId.of("10.0.42.101:8080");
  private static final NodeId FOLLOWER = NodeId.of("10.0.42.102:8080");
  private static final ClusterConfig CONFIG = ClusterConfig.ofVoters("10.0.42.101:8080", "10.0.42.102:8080");

  private static InstallSnapshot piece(long offset, byte[] data, boolean done) {
    return new InstallSnapshot(LEADER, FOLLOWER, 5, 100, 4, CONFIG, offset, Bytes.wrap(data), done);
  }

  @Test
  void lastPieceCarriesOnlyStateMachineBytesInDataAndTheChecksumBeside() {
    byte[] state = "tail of the map".getBytes(StandardCharsets.UTF_8);
    byte[] withTrailer = new byte[state.length + 4];
    System.arraycopy(state, 0, withTrailer, 0, state.length);
    withTrailer[state.length] = (byte) 0xCA;
    withTrailer[state.length + 1] = (byte) 0xFE;
    withTrailer[state.length + 2] = (byte) 0xBA;
    withTrailer[state.length + 3] = (byte) 0xBE;
    InstallSnapshot last = piece(1024, withTrailer, true);

    JsonNode json = RaftJson.encode(last);

    assertEquals(Base64.getEncoder().encodeToString(state), json.get("data").asText(),
        "a peer written from the specification installs the state machine's bytes, not the checksum");
    assertEquals(0xCAFEBABEL, json.get("checksum").asLong());
    assertEquals(last, RaftJsonTrees.decodeInstallSnapshot(json, FOLLOWER, NodeId::new),
        "a Pontoon follower gets the piece back exactly, checksum trailer included");
  }

  @Test
  void piecesBeforeTheLastTravelAsTheyAre() {
    InstallSnapshot first = piece(0, "head".getBytes(StandardCharsets.UTF_8), false);
    JsonNode json = RaftJson.encode(first);
    assertFalse(json.has("checksum"));
    assertEquals(first, RaftJsonTrees.decodeInstallSnapshot(json, FOLLOWER, NodeId::new));
  }
}
