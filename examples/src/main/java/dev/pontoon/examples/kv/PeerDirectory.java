package dev.pontoon.examples.kv;

import dev.pontoon.raft.NodeId;
import java.util.Map;
import java.util.Optional;

/** Where each member's HTTP API listens ({@code host:port}), for redirects and the status page. */
record PeerDirectory(Map<NodeId, String> httpAddresses) {
  PeerDirectory {
    httpAddresses = Map.copyOf(httpAddresses);
  }

  Optional<String> httpAddress(NodeId id) {
    return Optional.ofNullable(httpAddresses.get(id));
  }
}
