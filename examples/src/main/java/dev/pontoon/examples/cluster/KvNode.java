package dev.pontoon.examples.cluster;

import dev.pontoon.examples.httptransport.HttpTransport;
import dev.pontoon.examples.kv.AdminGuard;
import dev.pontoon.examples.kv.KvHttpConfig;
import dev.pontoon.examples.kv.KvHttpServer;
import dev.pontoon.examples.kv.KvStateMachine;
import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.file.FileSnapshotStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStoreConfig;
import dev.pontoon.raft.transport.Transport;
import dev.pontoon.raft.transport.netty.NettyTransport;
import dev.pontoon.raft.transport.netty.NettyTransportConfig;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;

/**
 * One running KV node: a {@link RaftServer} with a {@link KvStateMachine}, its log in RocksDB and
 * snapshots in files under its data directory, the Raft transport of choice, and the HTTP API.
 * On the {@code netty} transport Raft has its own port; on the {@code http} transport the HTTP
 * API's port also serves {@code /raft/*} (HTTP-TRANSPORT.md), so every member's Raft address
 * must be its HTTP address ({@link NodeSpec#sharesOnePort()}).
 *
 * <p><b>Lifecycle.</b> {@link #start} returns once the node runs and both ports are bound (a
 * restart on the same directory recovers the log, hard state and snapshot); {@link #close()}
 * stops the HTTP API, then the node (which closes its transport and log store). Blocking.
 */
public final class KvNode implements AutoCloseable {
  /** The cluster identity every store and connection of the example KV cluster carries. */
  static final ClusterId CLUSTER = ClusterId.of("pontoon-kv");
  private final RaftServer server;
  private final FileSnapshotStore snapshots;
  private final KvHttpServer http;
  private final InetSocketAddress raftAddress;

  private KvNode(RaftServer server, FileSnapshotStore snapshots, KvHttpServer http, InetSocketAddress raftAddress) {
    this.server = server;
    this.snapshots = snapshots;
    this.http = http;
    this.raftAddress = raftAddress;
  }

  /**
   * Starts a node that snapshots every 10 000 applied entries.
   *
   * @param id this node
   * @param members every member (this node included)
   * @param dir the node's data directory
   * @param transportKind {@code netty} or {@code http}
   */
  public static KvNode start(NodeId id, List<NodeSpec> members, Path dir, String transportKind) {
    return start(id, members, dir, transportKind, NodeOptions.DEFAULT_SNAPSHOT_EVERY);
  }

  /**
   * Starts a node that keeps no log behind its snapshots ({@code pontoon-kv node} keeps
   * {@code --log-retain} entries, 1000 by default).
   *
   * @param id this node
   * @param members every member (this node included)
   * @param dir the node's data directory
   * @param transportKind {@code netty} or {@code http}
   * @param snapshotEvery take a snapshot and discard the log up to it every this many applied
   *     entries (§7); 0 never (the log then keeps every entry)
   * @throws IllegalArgumentException if {@code snapshotEvery} is negative, {@code id} is not a
   *     member, {@code transportKind} is unknown, or on {@code http} a member's Raft address is not
   *     its HTTP address
   */
  public static KvNode start(NodeId id, List<NodeSpec> members, Path dir, String transportKind, long snapshotEvery) {
    return start(id, members, dir, transportKind, snapshotEvery, NodeSecurity.NONE);
  }

  /**
   * Starts a node with the TLS and admin settings of {@code security}.
   *
   * @throws IllegalArgumentException also if the admin endpoints would be unguarded on a
   *     non-loopback HTTP address (see {@link NodeSecurity#checkAdminExposure})
   */
  static KvNode start(NodeId id, List<NodeSpec> members, Path dir, String transportKind, long snapshotEvery,
      NodeSecurity security) {
    return start(id, members, dir, transportKind, snapshotEvery, 0, security, Seam.NONE);
  }

  /**
   * Where a test may wrap the node's parts to break it on purpose (to prove that a checker
   * catches what it claims to): the state machine the node runs, and the {@link RaftNode} its HTTP
   * API calls. Production code passes {@link #NONE}.
   */
  interface Seam {
    /** Nothing wrapped. */
    Seam NONE = new Seam() {};

    default StateMachine stateMachine(StateMachine stateMachine) {
      return stateMachine;
    }

    default RaftNode api(RaftNode node) {
      return node;
    }
  }

  /**
   * {@link #start(NodeId, List, Path, String, long, NodeSecurity)} keeping {@code logRetain}
   * entries behind each snapshot, with the node's parts passed through {@code seam}.
   */
  static KvNode start(NodeId id, List<NodeSpec> members, Path dir, String transportKind, long snapshotEvery,
      long logRetain, NodeSecurity security, Seam seam) {
    if (snapshotEvery < 0) {
      throw new IllegalArgumentException("snapshotEvery (" + snapshotEvery + ") must be 0 (never) or positive");
    }
    if (logRetain < 0) {
      throw new IllegalArgumentException("logRetain (" + logRetain + ") must be 0 or positive");
    }
    if (!transportKind.equals("netty") && !transportKind.equals("http")) {
      throw new IllegalArgumentException("transport must be netty or http, not '" + transportKind + "'");
    }
    NodeSpec self = members.stream().filter(m -> m.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(id + " is not among the members " + members));
    for (NodeSpec m : members) {
      if (transportKind.equals("http") && !m.sharesOnePort()) {
        throw new IllegalArgumentException("member " + m + ": on the http transport /raft/* is served on the HTTP "
            + "address, so the Raft address must be the same");
      }
    }
    security.checkAdminExposure(self.http());
    if (security.tls() && !transportKind.equals("netty")) {
      throw new IllegalArgumentException("TLS is available with the netty transport only, not " + transportKind);
    }
    AdminGuard admin = security.adminGuard();
    SslContext httpTls = security.tls() ? security.httpTls() : null;
    SSLContext peerHttpTls = security.tls() ? security.peerHttpTls() : null;
    Map<NodeId, String> httpAddresses = new HashMap<>();
    members.forEach(m -> httpAddresses.put(m.id(), NodeSpec.hostPort(m.http())));
    TreeSet<NodeId> voters = new TreeSet<>();
    members.forEach(m -> voters.add(m.id()));
    RocksDbLogStore log = RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir.resolve("log"), CLUSTER, id));
    FileSnapshotStore snapshots = null;
    RaftServer server = null;
    try {
      snapshots = FileSnapshotStore.open(dir.resolve("snapshots"), CLUSTER, id);
      Transport transport = transport(self, members, transportKind, security);
      RaftServerBuilder builder = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(voters))
          .transport(transport).logStore(log).snapshotStore(snapshots)
          .stateMachine(seam.stateMachine(new KvStateMachine()));
      if (snapshotEvery > 0) {
        builder.snapshotEvery(snapshotEvery).logRetainEntries(logRetain);
      }
      server = builder.build();
      KvHttpServer http = KvHttpServer.start(resolved(self.http()), seam.api(server), log, httpAddresses,
          KvHttpConfig.defaults(), httpTls, peerHttpTls, admin,
          transport instanceof HttpTransport shared ? shared::addRoutes : null);
      InetSocketAddress raftAddress = transport instanceof NettyTransport netty ? netty.localAddress() : http.address();
      return new KvNode(server, snapshots, http, raftAddress);
    } catch (RuntimeException e) {
      if (server != null) {
        server.close();
      } else {
        log.close();
      }
      if (snapshots != null) {
        snapshots.close();
      }
      throw e;
    }
  }

  private static Transport transport(NodeSpec self, List<NodeSpec> members, String kind, NodeSecurity security) {
    if (kind.equals("http")) {
      Map<NodeId, String> peers = new HashMap<>();
      members.stream().filter(m -> !m.id().equals(self.id())).forEach(m -> peers.put(m.id(), NodeSpec.hostPort(m.http())));
      return HttpTransport.sharingPort(self.id(), peers, Duration.ofSeconds(1));
    }
    NettyTransportConfig.Builder config = NettyTransportConfig.builder(self.id(), CLUSTER).listenAddress(resolved(self.raft()));
    members.stream().filter(m -> !m.id().equals(self.id())).forEach(m -> config.peer(m.id(), resolved(m.raft())));
    if (security.tls()) {
      config.tls(security.tlsCertificate(), security.tlsKey(), security.tlsCa());
    }
    return new NettyTransport(config.build());
  }

  private static InetSocketAddress resolved(InetSocketAddress address) {
    return address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
  }

  /** The Raft node, for tests and tools. */
  public RaftServer raft() {
    return server;
  }

  /** Where the HTTP API listens (bound: a port 0 is resolved). */
  public InetSocketAddress httpAddress() {
    return http.address();
  }

  /** Where the Raft transport listens (bound); on the http transport, the HTTP API's address. */
  public InetSocketAddress raftAddress() {
    return raftAddress;
  }

  @Override
  public void close() {
    http.close();
    server.close();
    snapshots.close();
  }
}
