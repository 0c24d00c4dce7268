package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.ClusterId;
import dev.pontoon.raft.NodeId;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Settings of a {@link NettyTransport}. Build one with {@link #builder(NodeId, ClusterId)}; the
 * constructor checks every value and names the rule it breaks. Immutable and thread-safe except
 * for {@code jitter}, which the transport only uses under its own lock.
 *
 * @param localId this node
 * @param clusterId identifies the cluster; connections and frames of another cluster are refused
 *     (frames carry a 64-bit tag derived from it, see {@code WIRE-FORMAT.md})
 * @param listenAddress where inbound connections are accepted; port 0 picks a free port
 * @param peers the other members known at start and where they listen; an entry for {@code
 *     localId} itself is allowed and ignored. Until the node reports its cluster configuration,
 *     only these nodes may connect, and only to these does {@code send} deliver; after it, the
 *     configuration's members (see {@link NettyTransport#configurationChanged}). A static address
 *     takes precedence over the one the configuration records.
 * @param maxFrameSize largest frame accepted or sent, in bytes after the 4-byte length field;
 *     must exceed the largest AppendEntries batch the engine builds (4 MiB by default)
 * @param minBackoff first reconnect delay after a failure, and after the loss of a connection that
 *     had stayed up for {@code maxBackoff}
 * @param maxBackoff largest reconnect delay; also how long a connection must stay up before the
 *     delays start over from {@code minBackoff}, so that a peer that completes the handshake and
 *     then closes (a crash loop, a resetting proxy) is re-dialled with growing delays, not every
 *     {@code minBackoff}
 * @param writeBufferLowWaterMark a connection over its high water mark becomes writable again
 *     once its buffered bytes fall below this
 * @param writeBufferHighWaterMark bytes buffered for one peer beyond which messages to it are
 *     dropped
 * @param connectTimeout how long one connection attempt may take
 * @param handshakeTimeout how long a new connection may take to complete the handshake
 * @param maxUnauthenticatedConnections most inbound connections in their handshake at once; a
 *     new one beyond it closes the oldest
 * @param maxInboundBufferedBytes most bytes all inbound connections together may hold in frames
 *     still arriving; a connection whose next frame does not fit stops reading until it does.
 *     At least {@code maxFrameSize}.
 * @param ioThreads Netty I/O threads (event loops) of this transport
 * @param tls mutual TLS settings, or {@code null} for plain TCP
 * @param sharedSecretFile a file holding the cluster's shared secret, or {@code null}: every
 *     connection then proves knowledge of the secret with an HMAC challenge in its handshake
 *     (the secret never goes on the wire), with or without TLS
 * @param jitter source of the reconnect jitter
 * @param peerResolver where members that are not static {@code peers} listen, asked before every
 *     connection attempt; default {@link PeerResolver#DEFAULT}
 * @param removedMemberLinger how long the connections of a node that left the configuration stay
 *     open (so that a leader removing itself can still commit the change); default 10 s
 */
public record NettyTransportConfig(NodeId localId, ClusterId clusterId, InetSocketAddress listenAddress,
    Map<NodeId, InetSocketAddress> peers, int maxFrameSize, Duration minBackoff, Duration maxBackoff,
    int writeBufferLowWaterMark, int writeBufferHighWaterMark, Duration connectTimeout, Duration handshakeTimeout,
    int maxUnauthenticatedConnections, long maxInboundBufferedBytes, int ioThreads, Tls tls, Path sharedSecretFile,
    RandomGenerator jitter, PeerResolver peerResolver, Duration removedMemberLinger) {

  /** Smallest accepted {@code maxFrameSize}: room for a header and a few small messages. */
  public static final int MIN_FRAME_SIZE = 4096;
  /** Default {@code maxUnauthenticatedConnections}: 64. */
  public static final int DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS = 64;
  /** Default {@code maxInboundBufferedBytes}: 64 MiB, eight frames of the default maximum. */
  public static final long DEFAULT_MAX_INBOUND_BUFFERED_BYTES = 64L * 1024 * 1024;
  /** Default {@code removedMemberLinger}: 10 seconds. */
  public static final Duration DEFAULT_REMOVED_MEMBER_LINGER = Duration.ofSeconds(10);

  public NettyTransportConfig {
    Objects.requireNonNull(localId, "localId");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(listenAddress, "listenAddress");
    Objects.requireNonNull(jitter, "jitter");
    Objects.requireNonNull(peerResolver, "peerResolver");
    requirePositive(removedMemberLinger, "removedMemberLinger");
    peers = Map.copyOf(Objects.requireNonNull(peers, "peers"));
    requireArgument(maxFrameSize >= MIN_FRAME_SIZE,
        "maxFrameSize (" + maxFrameSize + ") must be at least " + MIN_FRAME_SIZE);
    requirePositive(minBackoff, "minBackoff");
    requirePositive(maxBackoff, "maxBackoff");
    requireArgument(maxBackoff.compareTo(minBackoff) >= 0,
        "maxBackoff (" + maxBackoff + ") must not be less than minBackoff (" + minBackoff + ")");
    requireArgument(writeBufferLowWaterMark > 0,
        "writeBufferLowWaterMark (" + writeBufferLowWaterMark + ") must be positive");
    requireArgument(writeBufferHighWaterMark >= writeBufferLowWaterMark, "writeBufferHighWaterMark ("
        + writeBufferHighWaterMark + ") must not be less than writeBufferLowWaterMark (" + writeBufferLowWaterMark + ")");
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(handshakeTimeout, "handshakeTimeout");
    requireArgument(maxUnauthenticatedConnections > 0,
        "maxUnauthenticatedConnections (" + maxUnauthenticatedConnections + ") must be positive");
    requireArgument(maxInboundBufferedBytes >= maxFrameSize, "maxInboundBufferedBytes (" + maxInboundBufferedBytes
        + ") must be at least maxFrameSize (" + maxFrameSize + ")");
    if (sharedSecretFile != null) {
      Tls.requireReadable(sharedSecretFile, "sharedSecretFile");
    }
    requireArgument(ioThreads > 0, "ioThreads (" + ioThreads + ") must be positive");
    requireArgument(connectTimeout.toMillis() <= Integer.MAX_VALUE,
        "connectTimeout (" + connectTimeout + ") must fit in an int of milliseconds");
  }

  /** A builder with defaults for everything but the node, the cluster and the addresses. */
  public static Builder builder(NodeId localId, ClusterId clusterId) {
    return new Builder(localId, clusterId);
  }

  /** The tag of {@code clusterId} in frame headers. */
  long clusterTag() {
    return WireFormat.tagOf(clusterId);
  }

  /** Whether connections use mutual TLS. */
  public boolean tlsEnabled() {
    return tls != null;
  }

  /**
   * Mutual TLS from PEM files. Each node presents its certificate chain and accepts only peers
   * whose certificate chains to one of the trusted certificates, and (unless turned off by a
   * loudly named option) whose certificate names the node id the peer claims in the handshake.
   *
   * <p><b>Node ids in certificates.</b> A certificate names node id {@code n1} with a subject
   * alternative name (SAN) that is either the DNS name {@code n1} or the URI {@code
   * urn:pontoon:node:n1}, compared as exact text. The subject's common name (CN) is not
   * consulted (RFC 9525). Both ends check: the accepting node checks the connecting node's
   * certificate against the id of its Hello, and the connecting node checks that the accepting
   * node's certificate names the peer it meant to reach.
   *
   * <p><b>Host names.</b> When a peer's address was configured with a host name (not an IP
   * literal), the connecting node also verifies that the peer's certificate is valid for that host
   * name (the HTTPS rules of RFC 2818: a DNS SAN matching the name).
   *
   * @param certificateChain this node's X.509 certificate chain (PEM)
   * @param privateKey this node's private key, unencrypted PKCS#8 (PEM)
   * @param trustedCertificates the certificates peers must chain to (PEM); ideally a CA that
   *     issues certificates for this cluster only
   * @param insecureSkipNodeIdVerification {@code true} turns off the check that a peer's
   *     certificate names the node id it claims: any holder of a certificate from a trusted CA
   *     (often a shared corporate CA) can then act as any member. Logged as a warning at start.
   * @param insecureSkipHostNameVerification {@code true} turns off host name verification of
   *     peers configured by host name; the node id check still applies. Logged as a warning at start.
   * @param reloadInterval how often the three files are read again: when their content changed
   *     and the new material is valid (parsable, the key matches the certificate, the certificate
   *     is within its validity period), new connections use it; established connections keep
   *     theirs. Invalid new material is refused with a warning and the previous material stays
   *     in use. Default 1 minute.
   */
  public record Tls(Path certificateChain, Path privateKey, Path trustedCertificates,
      boolean insecureSkipNodeIdVerification, boolean insecureSkipHostNameVerification, Duration reloadInterval) {
    /** Default {@code reloadInterval}: 1 minute. */
    public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofMinutes(1);

    public Tls {
      requireReadable(certificateChain, "certificateChain");
      requireReadable(privateKey, "privateKey");
      requireReadable(trustedCertificates, "trustedCertificates");
      requirePositive(reloadInterval, "reloadInterval");
    }

    /** Mutual TLS with every check on, reloaded every minute. */
    public Tls(Path certificateChain, Path privateKey, Path trustedCertificates) {
      this(certificateChain, privateKey, trustedCertificates, false, false, DEFAULT_RELOAD_INTERVAL);
    }

    /** Whether a peer's certificate must name the node id it claims: true unless turned off. */
    public boolean verifiesNodeIds() {
      return !insecureSkipNodeIdVerification;
    }

    static void requireReadable(Path path, String name) {
      Objects.requireNonNull(path, name);
      requireArgument(Files.isReadable(path), name + " (" + path + ") is not a readable file");
    }
  }

  /** Collects settings; {@link #build()} validates them. Not thread-safe. */
  public static final class Builder {
    private final NodeId localId;
    private final ClusterId clusterId;
    private final Map<NodeId, InetSocketAddress> peers = new LinkedHashMap<>();
    private InetSocketAddress listenAddress;
    private int maxFrameSize = WireFormat.DEFAULT_MAX_FRAME_SIZE;
    private Duration minBackoff = Duration.ofMillis(50);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private int lowWaterMark = 2 * 1024 * 1024;
    private int highWaterMark = 16 * 1024 * 1024;
    private Duration connectTimeout = Duration.ofSeconds(3);
    private Duration handshakeTimeout = Duration.ofSeconds(10);
    private int maxUnauthenticatedConnections = DEFAULT_MAX_UNAUTHENTICATED_CONNECTIONS;
    private long maxInboundBufferedBytes = DEFAULT_MAX_INBOUND_BUFFERED_BYTES;
    private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private Tls tls;
    private boolean skipNodeIdVerification;
    private boolean skipHostNameVerification;
    private Path sharedSecretFile;
    private Duration tlsReloadInterval;
    private RandomGenerator jitter;
    private PeerResolver peerResolver = PeerResolver.DEFAULT;
    private Duration removedMemberLinger = DEFAULT_REMOVED_MEMBER_LINGER;

    private Builder(NodeId localId, ClusterId clusterId) {
      this.localId = Objects.requireNonNull(localId, "localId");
      this.clusterId = Objects.requireNonNull(clusterId, "clusterId");
    }

    /** Where to accept connections (required); port 0 picks a free port. */
    public Builder listenAddress(InetSocketAddress address) {
      requireState(listenAddress == null, "listenAddress is already set to " + listenAddress);
      this.listenAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** Adds one peer. */
    public Builder peer(NodeId id, InetSocketAddress address) {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(address, "address");
      requireState(!peers.containsKey(id), "peer " + id + " is already set to " + peers.get(id));
      peers.put(id, address);
      return this;
    }

    /** Adds several peers. */
    public Builder peers(Map<NodeId, InetSocketAddress> all) {
      all.forEach(this::peer);
      return this;
    }

    /** Largest frame, in bytes after the length field; default 8 MiB. */
    public Builder maxFrameSize(int bytes) {
      this.maxFrameSize = bytes;
      return this;
    }

    /**
     * Reconnect delays; default 50 ms doubling up to 5 s, with jitter. The delays start over from
     * {@code min} only once a connection has stayed up for {@code max}: a connection that closes
     * sooner, even after a completed handshake, counts as one more failure.
     */
    public Builder backoff(Duration min, Duration max) {
      this.minBackoff = Objects.requireNonNull(min, "min");
      this.maxBackoff = Objects.requireNonNull(max, "max");
      return this;
    }

    /** Write buffer water marks per connection; default 2 MiB and 16 MiB. */
    public Builder writeBufferWaterMarks(int low, int high) {
      this.lowWaterMark = low;
      this.highWaterMark = high;
      return this;
    }

    /** Connect timeout per attempt; default 3 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Time a new connection has to complete the handshake; default 10 s. */
    public Builder handshakeTimeout(Duration timeout) {
      this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * Most inbound connections in their handshake at once; default 64. A new connection beyond
     * it closes the oldest, so an idle flood holds at most this many sockets and buffers.
     */
    public Builder maxUnauthenticatedConnections(int connections) {
      this.maxUnauthenticatedConnections = connections;
      return this;
    }

    /**
     * Most bytes all inbound connections together may hold in frames still arriving; default 64
     * MiB, at least {@code maxFrameSize}. A connection whose next frame does not fit stops reading
     * (TCP pushes back on the sender) until other frames complete.
     */
    public Builder maxInboundBufferedBytes(long bytes) {
      this.maxInboundBufferedBytes = bytes;
      return this;
    }

    /** Netty I/O threads; default the number of processors, at most 4. */
    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    /**
     * Turns on mutual TLS from PEM files. Every peer's certificate must chain to {@code
     * trustedCertificates} and name the node id the peer claims, and peers configured by host
     * name must present a certificate for that name (see {@link Tls}).
     */
    public Builder tls(Path certificateChain, Path privateKey, Path trustedCertificates) {
      requireState(tls == null, "tls is already configured");
      this.tls = new Tls(certificateChain, privateKey, trustedCertificates);
      return this;
    }

    /**
     * How often the TLS files are checked for new content (certificate rotation); default 1
     * minute. Needs {@link #tls}.
     */
    public Builder tlsReloadInterval(Duration interval) {
      this.tlsReloadInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /**
     * INSECURE: accepts a TLS peer whose certificate does not name the node id it claims, so that
     * any holder of a certificate from a trusted CA can act as any member. Only for certificates
     * that cannot carry node ids; logged as a warning at start. Needs {@link #tls}.
     */
    public Builder insecureSkipNodeIdVerification() {
      this.skipNodeIdVerification = true;
      return this;
    }

    /**
     * INSECURE: does not check that a peer configured by host name presents a certificate for
     * that name; node ids are still checked. Logged as a warning at start. Needs {@link #tls}.
     */
    public Builder insecureSkipHostNameVerification() {
      this.skipHostNameVerification = true;
      return this;
    }

    /**
     * Requires every connection to prove knowledge of the cluster's shared secret, read from
     * {@code file} at start (at least 32 bytes once trailing white space is removed; for example
     * the base64 of 32 random bytes). Each side answers a fresh challenge with an HMAC-SHA256; the
     * secret never goes on the wire. For clusters that cannot run TLS: it authenticates who opens
     * a connection but neither encrypts nor protects the traffic from an attacker on the network
     * path. Every member needs the same secret.
     */
    public Builder sharedSecret(Path file) {
      requireState(sharedSecretFile == null, "sharedSecret is already set to " + sharedSecretFile);
      this.sharedSecretFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /** The random source of the reconnect jitter; default a fresh {@code L64X128MixRandom}. */
    public Builder jitter(RandomGenerator random) {
      this.jitter = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Where members added at run time listen, when they are not static {@link #peer peers};
     * default {@link PeerResolver#DEFAULT}, which reads {@code host:port} (or the {@code raft=}
     * field) from the member's address in the cluster configuration.
     */
    public Builder peerResolver(PeerResolver resolver) {
      this.peerResolver = Objects.requireNonNull(resolver, "resolver");
      return this;
    }

    /**
     * How long the connections of a node that left the configuration stay open before they are
     * closed for good; default 10 s. Long enough for a leader that removed itself to commit the
     * change and hand over leadership.
     */
    public Builder removedMemberLinger(Duration linger) {
      this.removedMemberLinger = Objects.requireNonNull(linger, "linger");
      return this;
    }

    /** The validated configuration. */
    public NettyTransportConfig build() {
      requireState(listenAddress != null, "listenAddress must be set");
      requireState(tls != null || !skipNodeIdVerification, "insecureSkipNodeIdVerification needs tls(...)");
      requireState(tls != null || !skipHostNameVerification, "insecureSkipHostNameVerification needs tls(...)");
      requireState(tls != null || tlsReloadInterval == null, "tlsReloadInterval needs tls(...)");
      RandomGenerator random = jitter != null ? jitter : RandomGenerator.of("L64X128MixRandom");
      Tls checkedTls = tls == null ? null : new Tls(tls.certificateChain(), tls.privateKey(),
          tls.trustedCertificates(), skipNodeIdVerification, skipHostNameVerification,
          tlsReloadInterval != null ? tlsReloadInterval : Tls.DEFAULT_RELOAD_INTERVAL);
      return new NettyTransportConfig(localId, clusterId, listenAddress, peers, maxFrameSize, minBackoff, maxBackoff,
          lowWaterMark, highWaterMark, connectTimeout, handshakeTimeout, maxUnauthenticatedConnections,
          maxInboundBufferedBytes, ioThreads, checkedTls, sharedSecretFile, random, peerResolver, removedMemberLinger);
    }
  }

  private static void requireArgument(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void requireState(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }

  private static void requirePositive(Duration duration, String name) {
    Objects.requireNonNull(duration, name);
    requireArgument(!duration.isNegative() && !duration.isZero(), name + " (" + duration + ") must be positive");
  }
}
