package dev.pontoon.examples.httptransport;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.InstallSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;

/**
 * Decodes what {@link RaftJson}'s encoders build, held as a tree, by the streaming decoder that
 * reads request bodies ({@link RequestDecoder}): the codec's round trips without an HTTP body.
 */
final class RaftJsonTrees {
  private RaftJsonTrees() {}

  static InstallSnapshot decodeInstallSnapshot(JsonNode o, NodeId self, Function<String, NodeId> sender) {
    try {
      return RequestDecoder.installSnapshot(() -> RaftJson.JSON.treeAsTokens(o), self, sender);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code outgoing-voters} and {@code addresses} may be absent. */
  static ClusterConfig decodeConfig(JsonNode o) {
    try (JsonParser p = RaftJson.JSON.treeAsTokens(o)) {
      p.nextToken();
      return RequestDecoder.config(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
