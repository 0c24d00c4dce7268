package dev.pontoon.examples.cluster;

import dev.pontoon.examples.httptransport.BearerToken;
import dev.pontoon.examples.httptransport.HttpTransport;
import dev.pontoon.examples.kv.AdminGuard;
import dev.pontoon.examples.kv.KvHttpConfig;
import dev.pontoon.examples.kv.KvHttpServer;
import dev.pontoon.examples.kv.KvStateMachine;
import dev.pontoon.examples.kv.MemberAddress;
import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftNode;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.RaftServerBuilder;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.file.FileSnapshotStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStore;
import dev.pontoon.raft.storage.rocksdb.RocksDbLogStoreConfig;
import dev.pontoon.raft.storage.segment.SegmentLogStore;
import dev.pontoon.raft.storage.segment.SegmentLogStoreConfig;
import dev.pontoon.raft.transport.Transport;
import dev.pontoon.raft.transport.netty.NettyTransport;
import dev.pontoon.raft.transport.netty.NettyTransportConfig;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * {@link #whenStopped()} tells when the Raft node has stopped, by a close or a fatal failure;
 * after a fatal failure the HTTP API still runs (answering errors) until {@link #close()}.
 */
public final class KvNode implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KvNode.class);
  /** The cluster identity every store and connection of the example KV cluster carries. */
  static final ClusterId CLUSTER = ClusterId.of("pontoon-kv");
  /**
   * With {@code --transport http}: how long the node may take to answer a peer's Raft request
   * (an append's answer waits for its entries to be synced) before its transport answers 503.
   */
  static final Duration RAFT_ANSWER_TIMEOUT = Duration.ofSeconds(1);
  /**
   * With {@code --transport http}: how long the node waits for a peer's answer, its body
   * included. Longer than {@link #RAFT_ANSWER_TIMEOUT} by a margin: the sender's clock starts
   * before it connects and sends the request, the receiver's once the request has arrived, so with
   * equal timeouts the peer's answer at its limit, or its 503, would reach a sender that has given
   * up and hung up. The margin covers carrying the request and the answer and scheduling.
   */
  static final Duration RAFT_REQUEST_TIMEOUT = RAFT_ANSWER_TIMEOUT.plus(Duration.ofMillis(500));
  private final RaftServer server;
  private final Transport transport;
  private final FileSnapshotStore snapshots;
  private final KvHttpServer http;
  private final InetSocketAddress raftAddress;
  private final Joiner joiner;
  private final AtomicBoolean closed = new AtomicBoolean();

  private KvNode(RaftServer server, Transport transport, FileSnapshotStore snapshots, KvHttpServer http,
      InetSocketAddress raftAddress, Joiner joiner) {
    this.server = server;
    this.transport = transport;
    this.snapshots = snapshots;
    this.http = http;
    this.raftAddress = raftAddress;
    this.joiner = joiner;
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
   *     non-loopback HTTP address (see {@link NodeSecurity#checkAdminExposure}), or Raft messages
   *     unauthenticated on a non-loopback Raft address ({@link NodeSecurity#checkRaftExposure})
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
    return start(id, members, dir, transportKind, snapshotEvery, logRetain, security, seam, null);
  }

  /**
   * As {@link #start(NodeId, List, Path, String, long, long, NodeSecurity, Seam)}; with
   * {@code join}, a node whose directory holds no state yet joins the cluster of that member
   * instead of forming one of {@code members} (see {@link Joiner}); {@code members} then only
   * names this node.
   */
  static KvNode start(NodeId id, List<NodeSpec> members, Path dir, String transportKind, long snapshotEvery,
      long logRetain, NodeSecurity security, Seam seam, URI join) {
    return start(id, members, dir, transportKind, snapshotEvery, logRetain, security, seam, join, "rocksdb");
  }

  /**
   * As {@link #start(NodeId, List, Path, String, long, long, NodeSecurity, Seam, URI)}, keeping the
   * Raft log in a {@code RocksDbLogStore} ({@code logStore} {@code rocksdb}) or a
   * {@code SegmentLogStore} ({@code segment}) under {@code dir/log}.
   */
  static KvNode start(NodeId id, List<NodeSpec> members, Path dir, String transportKind, long snapshotEvery,
      long logRetain, NodeSecurity security, Seam seam, URI join, String logStore) {
    NodeOptions.logStore(logStore);
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
    security.checkRaftExposure(self.raft(), transportKind.equals("http"));
    if (security.tls() && !transportKind.equals("netty")) {
      throw new IllegalArgumentException("TLS is available with the netty transport only, not " + transportKind);
    }
    AdminGuard admin = security.adminGuard();
    BearerToken raftSecret = security.raftSecret();
    SslContext httpTls = security.tls() ? security.httpTls() : null;
    SSLContext peerHttpTls = security.tls() ? security.peerHttpTls() : null;
    Map<NodeId, String> httpAddresses = new HashMap<>();
    members.forEach(m -> httpAddresses.put(m.id(), NodeSpec.hostPort(m.http())));
    LogStore log = logStore.equals("segment")
        ? SegmentLogStore.open(SegmentLogStoreConfig.of(dir.resolve("log"), CLUSTER, id))
        : RocksDbLogStore.open(RocksDbLogStoreConfig.of(dir.resolve("log"), CLUSTER, id));
    FileSnapshotStore snapshots = null;
    RaftServer server = null;
    Joiner joiner = null;
    try {
      // A restart of a node that joined holds its log (or a snapshot's place in it) and its term:
      // the configuration it stored, not --join, says who its peers are.
      boolean joining = join != null && log.lastIndex() == 0 && log.loadHardState().currentTerm() == 0;
      if (join != null && !joining) {
        LOG.info("{}: {} holds the node's state; ignoring --join {}", id, dir, join);
      }
      List<NodeSpec> peers = joining ? Joiner.members(join, peerHttpTls, transportKind.equals("http")) : members;
      snapshots = FileSnapshotStore.open(dir.resolve("snapshots"), CLUSTER, id);
      Transport transport = transport(self, peers, transportKind, security, raftSecret);
      RaftServerBuilder builder = RaftServer.builder().nodeId(id).cluster(initialConfig(peers, self, joining))
          .transport(transport).logStore(log).snapshotStore(snapshots)
          .stateMachine(seam.stateMachine(new KvStateMachine()));
      if (joining) {
        awaitingMembership(builder);
      }
      // Adding a member fails with NOT_CAUGHT_UP (503, asked again by a joining node) if it has
      // not caught up within this time; a node catching up through a large snapshot may need long.
      builder.promotionTimeout(Duration.ofSeconds(30));
      if (snapshotEvery > 0) {
        builder.snapshotEvery(snapshotEvery).logRetainEntries(logRetain);
      }
      server = builder.build();
      KvHttpServer http = KvHttpServer.start(resolved(self.http()), seam.api(server), log, httpAddresses,
          KvHttpConfig.defaults(), httpTls, peerHttpTls, admin,
          transport instanceof HttpTransport shared ? shared::addRoutes : null);
      InetSocketAddress raftAddress = transport instanceof NettyTransport netty ? netty.localAddress() : http.address();
      if (joining) {
        joiner = Joiner.start(join, id, NodeSpec.hostPort(withHost(self.http(), http.address())),
            NodeSpec.hostPort(withHost(self.raft(), raftAddress)), peerHttpTls, security.adminToken());
      }
      return new KvNode(server, transport, snapshots, http, raftAddress, joiner);
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

  /**
   * The configuration a new cluster starts with: every member a voter, with its addresses
   * ({@link MemberAddress}) so that nodes added later can reach and show it. A joining node starts
   * from the configuration it was shown and is added to it by the leader.
   */
  static ClusterConfig initialConfig(List<NodeSpec> members, NodeSpec self, boolean joining) {
    TreeSet<NodeId> voters = new TreeSet<>();
    Map<NodeId, String> addresses = new HashMap<>();
    for (NodeSpec m : members) {
      if (joining && m.id().equals(self.id())) {
        continue;
      }
      voters.add(m.id());
      if (m.http().getPort() > 0 && m.raft().getPort() > 0) {
        addresses.put(m.id(), new MemberAddress(NodeSpec.hostPort(m.http()), NodeSpec.hostPort(m.raft())).encode());
      }
    }
    return new ClusterConfig(voters, Set.of(), Set.of(), addresses);
  }

  /**
   * Tells the engine that this node is not a member yet: it waits for the leader to add it,
   * neither campaigning nor counting itself in a quorum.
   */
  private static void awaitingMembership(RaftServerBuilder builder) {
    builder.joining();
  }

  /** {@code configured} with its wildcard or missing host replaced by the host of {@code bound}, and the bound port. */
  private static InetSocketAddress withHost(InetSocketAddress configured, InetSocketAddress bound) {
    return InetSocketAddress.createUnresolved(configured.getHostString(), bound.getPort());
  }

  private static Transport transport(NodeSpec self, List<NodeSpec> members, String kind, NodeSecurity security,
      BearerToken raftSecret) {
    if (kind.equals("http")) {
      Map<NodeId, String> peers = new HashMap<>();
      members.stream().filter(m -> !m.id().equals(self.id())).forEach(m -> peers.put(m.id(), NodeSpec.hostPort(m.http())));
      return HttpTransport.sharingPort(self.id(), peers, RAFT_REQUEST_TIMEOUT, RAFT_ANSWER_TIMEOUT, raftSecret);
    }
    return new NettyTransport(nettyConfig(self, members, security));
  }

  /**
   * The Netty transport of {@code self}: TLS with the {@code --tls-*} files, and the handshake
   * proving the cluster secret with {@code --raft-secret-file} (the transport reads the file).
   */
  static NettyTransportConfig nettyConfig(NodeSpec self, List<NodeSpec> members, NodeSecurity security) {
    NettyTransportConfig.Builder config = NettyTransportConfig.builder(self.id(), CLUSTER).listenAddress(resolved(self.raft()));
    members.stream().filter(m -> !m.id().equals(self.id())).forEach(m -> config.peer(m.id(), resolved(m.raft())));
    if (security.tls()) {
      config.tls(security.tlsCertificate(), security.tlsKey(), security.tlsCa());
    }
    if (security.raftSecretFile() != null) {
      config.sharedSecret(security.raftSecretFile());
    }
    return config.build();
  }

  private static InetSocketAddress resolved(InetSocketAddress address) {
    return address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
  }

  /** The Raft node, for tests and tools. */
  public RaftServer raft() {
    return server;
  }

  /**
   * The Raft transport the node was built with and runs on, so that tests check what
   * {@link #start} wires (the http transport's timeouts, say) rather than the constants alone.
   */
  Transport transport() {
    return transport;
  }

  /** Where the HTTP API listens (bound: a port 0 is resolved). */
  public InetSocketAddress httpAddress() {
    return http.address();
  }

  /** Where the Raft transport listens (bound); on the http transport, the HTTP API's address. */
  public InetSocketAddress raftAddress() {
    return raftAddress;
  }

  /** Whether this node asked to join with {@code --join} and the cluster answered that it is a voter. */
  public boolean joined() {
    return joiner != null && joiner.joined();
  }

  /**
   * Completes once the Raft node has stopped: normally after {@link #close()}, exceptionally with
   * a {@code NodeStoppedException} carrying the cause after a fatal failure (see
   * {@link RaftServer#whenStopped()}, which also says on which thread callbacks run).
   */
  public CompletableFuture<Void> whenStopped() {
    return server.whenStopped();
  }

  /**
   * Stops the joiner, the HTTP API and the Raft node, and closes the snapshot store. Idempotent,
   * and safe after the Raft node stopped on its own (a fatal failure): only the first call closes
   * anything, a later one (a shutdown hook, say) returns at once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (joiner != null) {
      joiner.close();
    }
    http.close();
    server.close();
    snapshots.close();
  }
}
