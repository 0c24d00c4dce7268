package dev.pontoon.examples.cluster;

import dev.pontoon.raft.NodeId;
import java.net.InetSocketAddress;
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
 * @param raft where its Raft transport listens
 * @param dir its data directory (Raft log in RocksDB, snapshots)
 * @param members every member of the cluster, this node included
 * @param transport {@code netty} (binary, default) or {@code http} (HTTP/JSON)
 * @param snapshotEvery take a snapshot and compact the log every this many applied entries; 0 never
 * @param security TLS for the Raft port and HTTPS, and who may call the admin endpoints
 */
record NodeOptions(NodeId id, InetSocketAddress http, InetSocketAddress raft, Path dir, List<NodeSpec> members,
    String transport, long snapshotEvery, NodeSecurity security) {

  /** Entries between snapshots when {@code --snapshot-every} is not given. */
  static final long DEFAULT_SNAPSHOT_EVERY = 10_000;

  static final String USAGE = String.join("\n",
      "usage: pontoon-kv node --id ID --http HOST:PORT --raft HOST:PORT --dir DIR --peers PEERS [--transport netty|http]",
      "                       [--snapshot-every N] [--tls-cert FILE --tls-key FILE --tls-ca FILE]",
      "                       [--admin-token-file FILE] [--admin-client-cert] [--insecure-admin]",
      "       pontoon-kv cluster [--dir DIR] [--snapshot-every N] [--tls]",
      "",
      "node       starts one KV node",
      "  --id ID            this node's id, e.g. n1",
      "  --http HOST:PORT   where its HTTP API listens, e.g. 127.0.0.1:8081",
      "  --raft HOST:PORT   where its Raft transport listens, e.g. 127.0.0.1:9081",
      "  --dir DIR          its data directory (created if missing)",
      "  --peers PEERS      every member as id=httpHost:port/raftHost:port, comma-separated, e.g.",
      "                     n1=127.0.0.1:8081/127.0.0.1:9081,n2=127.0.0.1:8082/127.0.0.1:9082,n3=127.0.0.1:8083/127.0.0.1:9083",
      "                     (this node may be listed or not)",
      "  --transport T      netty (binary TCP, default) or http (HTTP/JSON, see HTTP-TRANSPORT.md)",
      "  --snapshot-every N take a snapshot and drop the log before it every N applied entries",
      "                     (default " + DEFAULT_SNAPSHOT_EVERY + "; 0 never compacts, the log then grows without bound)",
      "  --tls-cert FILE    this node's certificate chain (PEM); with --tls-key and --tls-ca: mutual TLS on the Raft",
      "  --tls-key FILE     port (the certificate must name the node id as DNS or URI urn:pontoon:node:ID SAN) and",
      "  --tls-ca FILE      HTTPS on the API (client certificates from the CA are asked for, optionally)",
      "  --admin-token-file FILE  /admin/... requests need 'Authorization: Bearer <token in FILE>' (else 401)",
      "  --admin-client-cert      /admin/... requests need a client certificate from --tls-ca (else 401)",
      "  --insecure-admin   allow unguarded /admin/... on an HTTP address that is not loopback (refused otherwise)",
      "cluster    starts n1, n2, n3 on 127.0.0.1 (HTTP 8081-8083, Raft 9081-9083) as three processes",
      "  --dir DIR          where their data directories go (default ./pontoon-kv-data)",
      "  --snapshot-every N passed to each node (default " + DEFAULT_SNAPSHOT_EVERY + ")",
      "  --tls              make a throwaway CA and node certificates under DIR/tls and run TLS and HTTPS",
      "  --help             shows this text");

  static NodeOptions parse(List<String> args) {
    Map<String, String> flags = flags(args, List.of("--id", "--http", "--raft", "--dir", "--peers", "--transport",
        "--snapshot-every", "--tls-cert", "--tls-key", "--tls-ca", "--admin-token-file"),
        List.of("--admin-client-cert", "--insecure-admin"));
    for (String required : List.of("--id", "--http", "--raft", "--dir", "--peers")) {
      if (!flags.containsKey(required)) {
        throw new IllegalArgumentException("missing " + required);
      }
    }
    NodeId id;
    try {
      id = new NodeId(flags.get("--id"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--id: " + e.getMessage());
    }
    InetSocketAddress http = NodeSpec.address(flags.get("--http"), "--http");
    InetSocketAddress raft = NodeSpec.address(flags.get("--raft"), "--raft");
    String transport = flags.getOrDefault("--transport", "netty");
    if (!transport.equals("netty") && !transport.equals("http")) {
      throw new IllegalArgumentException("--transport must be netty or http, not '" + transport + "'");
    }
    Map<NodeId, NodeSpec> members = new LinkedHashMap<>();
    for (String peer : flags.get("--peers").split(",")) {
      if (!peer.isBlank()) {
        NodeSpec spec = NodeSpec.parse(peer.trim());
        if (members.put(spec.id(), spec) != null) {
          throw new IllegalArgumentException("--peers names " + spec.id() + " twice");
        }
      }
    }
    members.putIfAbsent(id, new NodeSpec(id, http, raft));
    NodeSecurity security = new NodeSecurity(path(flags, "--tls-cert"), path(flags, "--tls-key"), path(flags, "--tls-ca"),
        path(flags, "--admin-token-file"), flags.containsKey("--admin-client-cert"), flags.containsKey("--insecure-admin"));
    if (security.tls() && !transport.equals("netty")) {
      throw new IllegalArgumentException("--tls-cert, --tls-key and --tls-ca need --transport netty");
    }
    security.checkAdminExposure(http);
    return new NodeOptions(id, http, raft, Path.of(flags.get("--dir")), new ArrayList<>(members.values()), transport,
        snapshotEvery(flags.get("--snapshot-every")), security);
  }

  private static Path path(Map<String, String> flags, String name) {
    return flags.containsKey(name) ? Path.of(flags.get(name)) : null;
  }

  /**
   * The value of {@code --snapshot-every}: {@link #DEFAULT_SNAPSHOT_EVERY} when absent.
   *
   * @throws IllegalArgumentException unless a whole number of entries, 0 or more
   */
  static long snapshotEvery(String text) {
    if (text == null) {
      return DEFAULT_SNAPSHOT_EVERY;
    }
    long entries;
    try {
      entries = Long.parseLong(text);
    } catch (NumberFormatException e) {
      entries = -1;
    }
    if (entries < 0) {
      throw new IllegalArgumentException("--snapshot-every must be a number of entries, 0 or more, not '" + text + "'");
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
