package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import java.net.InetSocketAddress;

/**
 * Finds where a member of the cluster configuration listens, for a member that is not one of the
 * statically configured {@linkplain NettyTransportConfig#peers() peers}. The transport asks before
 * <em>every</em> connection attempt, so a member that moved, or whose host name now resolves
 * elsewhere, is reached on the attempt after a failure.
 *
 * <p><b>Threading.</b> Called on a Netty I/O thread; it must not block. Return an {@linkplain
 * InetSocketAddress#createUnresolved unresolved} address for a host name: the connection resolves
 * it (the JVM's DNS cache, {@code networkaddress.cache.ttl}, applies). An exception is logged and
 * counts as a failed attempt.
 *
 * <p>The {@linkplain #DEFAULT default} reads the member's address string from the configuration:
 * either {@code host:port} ({@code [v6 literal]:port} for IPv6), or a list of {@code key=value}
 * fields separated by {@code ;} whose {@code raft} field is {@code host:port}, for example {@code
 * raft=10.0.0.4:7000;http=10.0.0.4:8080} (the form the KV example stores).
 *
 * @see NettyTransportConfig.Builder#peerResolver(PeerResolver)
 */
@FunctionalInterface
public interface PeerResolver {

  /** The {@code host:port} or {@code raft=host:port;...} reader described above. */
  PeerResolver DEFAULT = (id, configuredAddress) -> configuredAddress == null ? null : parse(configuredAddress);

  /**
   * Where {@code id} listens now.
   *
   * @param id a member of the configuration in force
   * @param configuredAddress its address string in the configuration, or {@code null} when it has none
   * @return the address to connect to, or {@code null} when unknown (the attempt is retried with
   *     back-off, and this method is asked again)
   */
  InetSocketAddress resolve(NodeId id, String configuredAddress);

  /**
   * Reads {@code host:port}, {@code [v6]:port}, or the {@code raft} field of {@code key=value;...}
   * as an unresolved address.
   *
   * @return the address, or {@code null} when {@code address} has neither form
   */
  static InetSocketAddress parse(String address) {
    String hostPort = address.trim();
    if (hostPort.contains("=")) {
      hostPort = null;
      for (String field : address.split(";")) {
        int eq = field.indexOf('=');
        if (eq > 0 && field.substring(0, eq).trim().equals("raft")) {
          hostPort = field.substring(eq + 1).trim();
        }
      }
      if (hostPort == null) {
        return null;
      }
    }
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      return null;
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      return null; // an IPv6 literal needs brackets
    }
    try {
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      return port < 1 || port > 65535 || host.isEmpty() ? null : InetSocketAddress.createUnresolved(host, port);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
