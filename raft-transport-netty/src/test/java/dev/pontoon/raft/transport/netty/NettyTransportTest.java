package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.transport.Transport;
import dev.pontoon.raft.transport.TransportContract;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The transport contract on real loopback sockets, plain TCP. */
class NettyTransportTest extends TransportContract {
  private LoopbackCluster cluster;

  @Override
  protected Map<NodeId, Transport> createTransports(List<NodeId> ids) {
    cluster = new LoopbackCluster(ids);
    Map<NodeId, Transport> transports = new LinkedHashMap<>();
    ids.forEach(id -> transports.put(id, new NettyTransport(cluster.config(id))));
    return transports;
  }

  @Override
  protected Transport reopen(NodeId id) {
    return new NettyTransport(cluster.config(id));
  }
}
