package dev.pontoon.examples.cluster;

import dev.pontoon.raft.NodeId;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One member of a KV cluster: its id and where its HTTP API and its Raft transport listen.
 * Written {@code id=httpHost:httpPort/raftHost:raftPort}, e.g. {@code n1=127.0.0.1:8081/127.0.0.1:9081}.
 * On the HTTP/JSON transport a member serves {@code /raft/*} on its HTTP address, so both
 * addresses are the same and it is written {@code id=host:port}, or just {@code host:port} when
 * its id is that address (the default there), e.g. {@code 127.0.0.1:8081}.
 */
public record NodeSpec(NodeId id, InetSocketAddress http, InetSocketAddress raft) {
  public NodeSpec {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(raft, "raft");
  }

  /**
   * Parses {@code id=httpHost:httpPort/raftHost:raftPort}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static NodeSpec parse(String text) {
    int eq = text.indexOf('=');
    int slash = text.indexOf('/', Math.max(eq, 0));
    if (eq <= 0 || slash < 0) {
      throw new IllegalArgumentException("peer '" + text + "' must look like id=httpHost:port/raftHost:port");
    }
    return new NodeSpec(new NodeId(text.substring(0, eq)), address(text.substring(eq + 1, slash), "HTTP"),
        address(text.substring(slash + 1), "Raft"));
  }

  /**
   * Parses a member of an HTTP/JSON-transport cluster: {@code host:port} (its id is that address)
   * or {@code id=host:port}; its HTTP API and {@code /raft/*} share that address.
   *
   * @throws IllegalArgumentException naming what is wrong, e.g. a separate Raft address
   */
  public static NodeSpec parseSharedPort(String text) {
    if (text.indexOf('/') >= 0) {
      throw new IllegalArgumentException("peer '" + text + "': with --transport http a member serves /raft/* on its "
          + "HTTP address, so write host:port or id=host:port, without a separate Raft address");
    }
    int eq = text.indexOf('=');
    InetSocketAddress address = address(text.substring(eq + 1), "HTTP");
    NodeId id = eq < 0 ? new NodeId(hostPort(address)) : new NodeId(text.substring(0, eq));
    return new NodeSpec(id, address, address);
  }

  /** Whether the member serves its HTTP API and Raft on one address (the HTTP/JSON transport). */
  public boolean sharesOnePort() {
    return hostPort(http).equals(hostPort(raft));
  }

  /**
   * Parses {@code host:port}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static InetSocketAddress address(String text, String what) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException(what + " address '" + text + "' must look like host:port");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " address '" + text + "' has a port that is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(what + " address '" + text + "' has a port outside 0..65535");
    }
    return InetSocketAddress.createUnresolved(text.substring(0, colon), port);
  }

  /** {@code host:port} of an address. */
  public static String hostPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  /** As parsed: {@code id=http/raft}; {@code id=host:port} or {@code host:port} when both addresses are one. */
  @Override
  public String toString() {
    if (sharesOnePort()) {
      return id.value().equals(hostPort(http)) ? hostPort(http) : id + "=" + hostPort(http);
    }
    return id + "=" + hostPort(http) + "/" + hostPort(raft);
  }
}
