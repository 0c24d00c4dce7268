package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import java.util.Objects;

/**
 * The handshake frame. The connecting node sends it first, naming itself; the accepting node
 * checks the cluster id and the node id and answers with a {@code Hello} naming itself, or closes
 * the connection.
 *
 * @param clusterId the cluster id carried in the frame header
 * @param nodeId the sender
 */
record Hello(long clusterId, NodeId nodeId) {
  Hello {
    Objects.requireNonNull(nodeId, "nodeId");
  }
}
