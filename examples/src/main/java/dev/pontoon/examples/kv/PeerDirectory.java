package dev.pontoon.examples.kv;

import dev.pontoon.raft.NodeId;
import java.util.Map;
import java.util.Optional;

/**
 * Where each member's HTTP API listens ({@code host:port}), for redirects and the status page.
 *
 * @param scheme {@code http} or {@code https}, the same for every member
 */
record PeerDirectory(Map<NodeId, String> httpAddresses, String scheme) {
  PeerDirectory {
    httpAddresses = Map.copyOf(httpAddresses);
  }

  PeerDirectory(Map<NodeId, String> httpAddresses) {
    this(httpAddresses, "http");
  }

  Optional<String> httpAddress(NodeId id) {
    return Optional.ofNullable(httpAddresses.get(id));
  }
}
