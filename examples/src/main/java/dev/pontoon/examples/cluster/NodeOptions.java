package dev.pontoon.examples.cluster;

import dev.pontoon.raft.NodeId;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flags of {@code pontoon-kv node}, parsed and checked. Bad flags give an
 * {@link IllegalArgumentException} whose message says what is wrong; the launcher prints it
 * with {@link #USAGE} and exits 2.
 *
 * @param id this node's id
 * @param http where its HTTP API listens
 * @param raft where its Raft transport listens: with the {@code http} transport, {@code http} itself
 * @param dir its data directory (Raft log, snapshots)
 * @param members every member of the cluster, this node included
 * @param transport {@code netty} (binary, default) or {@code http} (HTTP/JSON)
 * @param snapshotEvery take a snapshot and compact the log every this many applied entries; 0 never
 * @param logRetain entries kept in the log behind each snapshot (the catch-up margin)
 * @param security TLS for the Raft port and HTTPS, and who may call the admin endpoints
 * @param join a member's HTTP API to ask to add this node ({@code --join}), or null; ignored when
 *     the data directory already holds the node's state (a restart of a node that joined)
 * @param logStore {@code rocksdb} ({@code RocksDbLogStore}, default) or {@code segment}
 *     ({@code SegmentLogStore}); a directory written by one is refused by the other
 */
record NodeOptions(NodeId id, InetSocketAddress http, InetSocketAddress raft, Path dir, List<NodeSpec> members,
    String transport, long snapshotEvery, long logRetain, NodeSecurity security, URI join, String logStore) {

  /** Entries between snapshots when {@code --snapshot-every} is not given. */
  static final long DEFAULT_SNAPSHOT_EVERY = 10_000;
  /** Entries kept behind each snapshot when {@code --log-retain} is not given. */
  static final long DEFAULT_LOG_RETAIN = 1_000;

  static final String USAGE = String.join("\n",
      "usage: pontoon-kv node --id ID --http HOST:PORT --raft HOST:PORT --dir DIR --peers PEERS [--snapshot-every N]",
      "       pontoon-kv node --id ID --http HOST:PORT --raft HOST:PORT --dir DIR --join http://HOST:PORT [...]",
      "                       [--log-retain N] [--log-store rocksdb|segment] [--tls-cert FILE --tls-key FILE --tls-ca FILE]",
      "                       [--admin-token-file FILE] [--admin-client-cert] [--insecure-admin]",
      "                       [--raft-secret-file FILE] [--insecure-raft]",
      "       pontoon-kv node --transport http --http HOST:PORT --dir DIR --peers PEERS [--id ID] [--snapshot-every N]",
      "                       [--log-retain N] [--admin-token-file FILE] [--insecure-admin]",
      "                       [--raft-secret-file FILE] [--insecure-raft]",
      "       pontoon-kv cluster [--dir DIR] [--transport netty|http] [--snapshot-every N] [--log-retain N]",
      "                          [--log-store rocksdb|segment] [--tls]",
      "",
      "node       starts one KV node; it runs until SIGTERM or Ctrl-C, or until its Raft node stops after a fatal",
      "           failure (a failing disk, a state machine that throws): it then prints the cause on stderr and exits 1",
      "  --id ID            this node's id, e.g. n1 (with --transport http: default its --http address)",
      "  --http HOST:PORT   where its HTTP API listens, e.g. 127.0.0.1:8081 (and /raft/* with --transport http)",
      "  --raft HOST:PORT   where its Netty Raft transport listens, e.g. 127.0.0.1:9081 (not with --transport http)",
      "  --dir DIR          its data directory (created if missing)",
      "  --peers PEERS      every member, comma-separated; this node may be listed (with the same addresses) or not",
      "                     netty: id=httpHost:port/raftHost:port, e.g.",
      "                       n1=127.0.0.1:8081/127.0.0.1:9081,n2=127.0.0.1:8082/127.0.0.1:9082,n3=127.0.0.1:8083/127.0.0.1:9083",
      "                     http:  host:port (the id is the address) or id=host:port, e.g.",
      "                       127.0.0.1:8081,127.0.0.1:8082,127.0.0.1:8083",
      "  --join URL         instead of --peers: a running member's HTTP API (http://HOST:PORT, https:// with TLS);",
      "                     the node reads the members there and asks the cluster to add it, as a learner first,",
      "                     promoted to voter once caught up (POST /admin/members, with --admin-token-file's token).",
      "                     --http and --raft must be addresses the members can reach. Ignored on a restart:",
      "                     once DIR holds the node's state, it rejoins with what it stored",
      "  --transport T      netty (binary TCP, default) or http (HTTP/JSON on the HTTP port, see HTTP-TRANSPORT.md)",
      "  --snapshot-every N take a snapshot and drop the log before it every N applied entries",
      "                     (default " + DEFAULT_SNAPSHOT_EVERY + "; 0 never compacts, the log then grows without bound)",
      "  --log-retain N     keep N entries of the log before each snapshot, so that a follower slightly behind",
      "                     catches up from entries, not the whole snapshot (default " + DEFAULT_LOG_RETAIN + ")",
      "  --log-store S      where the node keeps its Raft log: rocksdb (default) or segment (SegmentLogStore:",
      "                     preallocated segment files, faster); a directory written by one is refused by the other",
      "  --tls-cert FILE    this node's certificate chain (PEM); with --tls-key and --tls-ca: mutual TLS on the Raft",
      "  --tls-key FILE     port (the certificate must name the node id as DNS or URI urn:pontoon:node:ID SAN) and",
      "  --tls-ca FILE      HTTPS on the API (client certificates from the CA are asked for, optionally); netty only",
      "  --admin-token-file FILE  /admin/... requests need 'Authorization: Bearer <token in FILE>' (else 401);",
      "                     tokens and secrets are visible ASCII; keep their files readable by their owner only",
      "  --admin-client-cert      /admin/... requests need a client certificate from --tls-ca (else 401)",
      "  --insecure-admin   allow unguarded /admin/... on an HTTP address that is not loopback (refused otherwise)",
      "  --raft-secret-file FILE  the cluster secret (at least 32 characters, the same file on every node) that Raft",
      "                     peers must prove: netty: an HMAC handshake; http: /raft/* requests need",
      "                     'Authorization: Bearer <secret in FILE>' (else 401; the body is never buffered)",
      "  --insecure-raft    allow unauthenticated Raft messages on a Raft address that is not loopback (with",
      "                     --transport http: the --http address); refused otherwise unless --tls-* (netty) or",
      "                     --raft-secret-file. Without them, on loopback, any local process can send Raft messages",
      "cluster    starts three nodes on 127.0.0.1 as three processes: n1, n2, n3 with HTTP 8081-8083 and Raft",
      "           9081-9083, or with --transport http the nodes 127.0.0.1:8081 ... 127.0.0.1:8083",
      "  --dir DIR          where their data directories go (default ./pontoon-kv-data)",
      "  --transport T      netty (default) or http, for every node",
      "  --snapshot-every N passed to each node (default " + DEFAULT_SNAPSHOT_EVERY + ")",
      "  --log-retain N     passed to each node (default " + DEFAULT_LOG_RETAIN + ")",
      "  --log-store S      passed to each node (default rocksdb)",
      "  --tls              make a throwaway CA and node certificates under DIR/tls and run TLS and HTTPS",
      "  --help             shows this text");

  static NodeOptions parse(List<String> args) {
    Map<String, String> flags = flags(args, List.of("--id", "--http", "--raft", "--dir", "--peers", "--join", "--transport",
        "--snapshot-every", "--log-retain", "--log-store", "--tls-cert", "--tls-key", "--tls-ca", "--admin-token-file",
        "--raft-secret-file"), List.of("--admin-client-cert", "--insecure-admin", "--insecure-raft"));
    String transport = transport(flags.get("--transport"));
    NodeSecurity security = new NodeSecurity(path(flags, "--tls-cert"), path(flags, "--tls-key"), path(flags, "--tls-ca"),
        path(flags, "--admin-token-file"), flags.containsKey("--admin-client-cert"), flags.containsKey("--insecure-admin"),
        path(flags, "--raft-secret-file"), flags.containsKey("--insecure-raft"));
    if (security.tls() && !transport.equals("netty")) {
      throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca need --transport netty");
    }
    boolean sharedPort = transport.equals("http");
    URI join = flags.containsKey("--join") ? join(flags.get("--join")) : null;
    if (join != null && security.tls() && join.getScheme().equals("http")) {
      // The admin token would cross the network in clear, and the members answer HTTPS anyway.
      throw new IllegalArgumentException("--join " + join + " with --tls-cert, --tls-key and --tls-ca: the members serve"
          + " HTTPS, so join through https://" + join.getRawAuthority());
    }
    if (join != null && flags.containsKey("--peers")) {
      throw new IllegalArgumentException("give --peers (a new cluster) or --join (join a running one), not both");
    }
    String membersFlag = join != null ? "" : "--peers";
    List<String> required = sharedPort ? List.of("--http", "--dir", membersFlag)
        : List.of("--id", "--http", "--raft", "--dir", membersFlag);
    for (String flag : required) {
      if (!flag.isEmpty() && !flags.containsKey(flag)) {
        throw new IllegalArgumentException("missing " + flag);
      }
    }
    InetSocketAddress http = NodeSpec.address(flags.get("--http"), "--http");
    InetSocketAddress raft = sharedPort ? http : NodeSpec.address(flags.get("--raft"), "--raft");
    if (sharedPort && flags.containsKey("--raft")
        && !NodeSpec.hostPort(NodeSpec.address(flags.get("--raft"), "--raft")).equals(NodeSpec.hostPort(http))) {
      throw new IllegalArgumentException("--raft " + flags.get("--raft") + " differs from --http " + NodeSpec.hostPort(http)
          + ": with --transport http, /raft/* is served on the HTTP port; leave --raft out");
    }
    NodeId id;
    try {
      id = new NodeId(flags.getOrDefault("--id", NodeSpec.hostPort(http)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--id: " + e.getMessage());
    }
    Map<NodeId, NodeSpec> members = new LinkedHashMap<>();
    for (String peer : flags.getOrDefault("--peers", "").split(",")) {
      if (!peer.isBlank()) {
        NodeSpec spec = sharedPort ? NodeSpec.parseSharedPort(peer.trim()) : NodeSpec.parse(peer.trim());
        if (members.put(spec.id(), spec) != null) {
          throw new IllegalArgumentException("--peers names " + spec.id() + " twice");
        }
      }
    }
    NodeSpec self = new NodeSpec(id, http, raft);
    NodeSpec listed = members.putIfAbsent(id, self);
    if (listed != null && !listed.toString().equals(self.toString())) {
      throw new IllegalArgumentException("--peers lists this node as " + listed + " but its flags say " + self
          + " (--http" + (sharedPort ? "" : ", --raft") + "): make them agree, or leave " + id + " out of --peers");
    }
    security.checkAdminExposure(http);
    security.checkRaftExposure(raft, sharedPort);
    return new NodeOptions(id, http, raft, Path.of(flags.get("--dir")), new ArrayList<>(members.values()), transport,
        snapshotEvery(flags.get("--snapshot-every")), logRetain(flags.get("--log-retain")), security, join,
        logStore(flags.get("--log-store")));
  }

  /** The value of {@code --log-store}: {@code rocksdb} when absent. */
  static String logStore(String value) {
    if (value == null) {
      return "rocksdb";
    }
    if (!value.equals("rocksdb") && !value.equals("segment")) {
      throw new IllegalArgumentException("--log-store must be rocksdb or segment, not '" + value + "'");
    }
    return value;
  }

  /**
   * The value of {@code --join}: {@code http://HOST:PORT} or {@code https://HOST:PORT}.
   *
   * @throws IllegalArgumentException otherwise
   */
  static URI join(String text) {
    try {
      URI uri = new URI(text);
      if ((!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getPort() < 1) {
        throw new URISyntaxException(text, "not http(s)://HOST:PORT");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--join must be a member's HTTP API as http://HOST:PORT or https://HOST:PORT, not '"
          + text + "'");
    }
  }

  private static Path path(Map<String, String> flags, String name) {
    return flags.containsKey(name) ? Path.of(flags.get(name)) : null;
  }

  /**
   * The value of {@code --transport}: {@code netty} when absent.
   *
   * @throws IllegalArgumentException unless netty or http
   */
  static String transport(String text) {
    String transport = text == null ? "netty" : text;
    if (!transport.equals("netty") && !transport.equals("http")) {
      throw new IllegalArgumentException("--transport must be netty or http, not '" + transport + "'");
    }
    return transport;
  }

  /**
   * The value of {@code --snapshot-every}: {@link #DEFAULT_SNAPSHOT_EVERY} when absent.
   *
   * @throws IllegalArgumentException unless a whole number of entries, 0 or more
   */
  static long snapshotEvery(String text) {
    return entries("--snapshot-every", text, DEFAULT_SNAPSHOT_EVERY);
  }

  /**
   * The value of {@code --log-retain}: {@link #DEFAULT_LOG_RETAIN} when absent.
   *
   * @throws IllegalArgumentException unless a whole number of entries, 0 or more
   */
  static long logRetain(String text) {
    return entries("--log-retain", text, DEFAULT_LOG_RETAIN);
  }

  /** A flag's count of entries, 0 or more; {@code absent} when the flag was not given. */
  private static long entries(String flag, String text, long absent) {
    if (text == null) {
      return absent;
    }
    long entries;
    try {
      entries = Long.parseLong(text);
    } catch (NumberFormatException e) {
      entries = -1;
    }
    if (entries < 0) {
      throw new IllegalArgumentException(flag + " must be a number of entries, 0 or more, not '" + text + "'");
    }
    return entries;
  }

  /** Flags as name to value; every flag takes one value; an unknown or repeated flag is an error. */
  static Map<String, String> flags(List<String> args, List<String> known) {
    return flags(args, known, List.of());
  }

  /**
   * Flags as name to value: those in {@code known} take one value, those in {@code switches}
   * none (their value is {@code "true"}); an unknown or repeated flag is an error.
   */
  static Map<String, String> flags(List<String> args, List<String> known, List<String> switches) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String name = args.get(i);
      if (switches.contains(name)) {
        if (flags.put(name, "true") != null) {
          throw new IllegalArgumentException(name + " is given twice");
        }
        continue;
      }
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown flag '" + name + "'");
      }
      if (i + 1 >= args.size() || args.get(i + 1).startsWith("--")) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      if (flags.put(name, args.get(++i)) != null) {
        throw new IllegalArgumentException(name + " is given twice");
      }
    }
    return flags;
  }
}
