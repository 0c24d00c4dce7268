package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes a transport talks to, and their outbound connections: the statically configured
 * peers, then the members of the cluster configuration in force as the node reports it.
 *
 * <p><b>Who is a peer.</b> Before the first {@link #configurationChanged}, the static peers. After
 * it, the members of that configuration; the static peers as well while this node is not itself a
 * member (a node waiting to be added must reach, and be reached by, the cluster it joins). Only
 * peers may connect in ({@link #admitted()}), and only to peers does the transport send.
 *
 * <p><b>Removal.</b> A node that leaves the configuration keeps its connections for the configured
 * linger, then they are closed and not reopened. The linger exists because a configuration takes
 * effect when appended, before it commits (thesis §4.1): a leader that removes itself still
 * replicates and commits that entry, and hands over leadership, after its followers have appended
 * it, so they must keep answering it for a while. If the node comes back within the linger (a
 * truncated configuration, or a re-add), nothing is closed.
 *
 * <p>Thread-safe: changes are serialised on this object; lookups read concurrent maps.
 */
final class Peers {
  private static final Logger log = LoggerFactory.getLogger(NettyTransport.class);

  private final NettyTransportConfig config;
  private final ConcurrentMap<NodeId, Channel> inboundByPeer;
  private final ConcurrentMap<NodeId, PeerConnection> connections = new ConcurrentHashMap<>();
  private final Set<NodeId> admitted = ConcurrentHashMap.newKeySet();
  /** Removals waiting for their linger to end; guarded by this. */
  private final Map<NodeId, ScheduledFuture<?>> leaving = new HashMap<>();
  private volatile ClusterConfig configuration;
  private Function<NodeId, PeerConnection> connectionFactory;
  private EventLoopGroup group;
  private boolean closed;

  Peers(NettyTransportConfig config, ConcurrentMap<NodeId, Channel> inboundByPeer) {
    this.config = config;
    this.inboundByPeer = inboundByPeer;
    admitted.addAll(wanted());
  }

  /** The nodes that may connect in: live, shared with the inbound handshake. */
  Set<NodeId> admitted() {
    return admitted;
  }

  /** The outbound connection to {@code id}, or null when it is not a peer. */
  PeerConnection connection(NodeId id) {
    return connections.get(id);
  }

  /** Opens a connection to every peer; {@code factory} builds one for a node. */
  synchronized void start(Function<NodeId, PeerConnection> factory, EventLoopGroup loops) {
    this.connectionFactory = factory;
    this.group = loops;
    for (NodeId id : wanted()) {
      connections.put(id, factory.apply(id));
    }
    connections.values().forEach(PeerConnection::connect);
  }

  int size() {
    return connections.size();
  }

  /**
   * Takes {@code config} as the configuration in force: connects to members not yet connected and
   * schedules the removal of nodes that left it. Never blocks.
   */
  synchronized void configurationChanged(ClusterConfig config) {
    this.configuration = java.util.Objects.requireNonNull(config, "config");
    Set<NodeId> wanted = wanted();
    admitted.addAll(wanted);
    if (connectionFactory == null || closed) {
      // Before start no connection exists that a linger would keep: a static peer this
      // configuration leaves out is no peer from now on. Only removing it from admitted() here
      // refuses it; no later removal would, since it never gets a connection to remove.
      admitted.retainAll(wanted);
      return; // start() connects to whatever is wanted then
    }
    for (NodeId id : wanted) {
      ScheduledFuture<?> removal = leaving.remove(id);
      if (removal != null) {
        removal.cancel(false);
        log.info("{}: {} is a member again; its connections stay", this.config.localId(), id);
      }
      if (!connections.containsKey(id)) {
        PeerConnection connection = connectionFactory.apply(id);
        connections.put(id, connection);
        log.info("{}: {} joined the configuration; connecting", this.config.localId(), id);
        connection.connect();
      }
    }
    for (NodeId id : List.copyOf(connections.keySet())) {
      if (!wanted.contains(id) && !leaving.containsKey(id)) {
        scheduleRemoval(id);
      }
    }
  }

  private void scheduleRemoval(NodeId id) {
    long linger = config.removedMemberLinger().toNanos();
    log.info("{}: {} left the configuration; closing its connections in {}", config.localId(), id,
        config.removedMemberLinger());
    try {
      leaving.put(id, group.schedule(() -> remove(id), linger, TimeUnit.NANOSECONDS));
    } catch (RejectedExecutionException e) {
      // The transport is closing; every connection closes anyway.
    }
  }

  private synchronized void remove(NodeId id) {
    leaving.remove(id);
    if (closed || wanted().contains(id)) {
      return;
    }
    admitted.remove(id);
    PeerConnection connection = connections.remove(id);
    if (connection != null) {
      connection.close();
    }
    Channel inbound = inboundByPeer.remove(id);
    if (inbound != null) {
      inbound.close();
    }
    log.info("{}: connections to {}, no longer a member, closed", config.localId(), id);
  }

  /**
   * Where to connect to {@code id} now: its static address, else what the resolver makes of its
   * address in the configuration. A host name is returned unresolved, so that every attempt looks
   * it up again (a member that moved is found after a failure).
   */
  InetSocketAddress addressOf(NodeId id) {
    InetSocketAddress address = config.peers().get(id);
    if (address == null) {
      ClusterConfig current = configuration;
      String configured = current == null ? null : current.address(id).orElse(null);
      address = config.peerResolver().resolve(id, configured);
    }
    if (address != null && TlsContexts.verifyHostName(address)) {
      return InetSocketAddress.createUnresolved(address.getHostString(), address.getPort());
    }
    return address;
  }

  /** Stops every connection and pending removal. */
  synchronized void close() {
    closed = true;
    leaving.values().forEach(f -> f.cancel(false));
    leaving.clear();
    connections.values().forEach(PeerConnection::close);
  }

  private Set<NodeId> wanted() {
    Set<NodeId> ids = new TreeSet<>();
    ClusterConfig current = configuration;
    if (current == null || !current.contains(config.localId())) {
      ids.addAll(config.peers().keySet());
    }
    if (current != null) {
      ids.addAll(current.members());
    }
    ids.remove(config.localId());
    return ids;
  }
}
