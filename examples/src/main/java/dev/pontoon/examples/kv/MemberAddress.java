package dev.pontoon.examples.kv;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a KV member listens, as stored in the cluster configuration's address string of the member
 * ({@link dev.pontoon.raft.log.ClusterConfig#addresses()}), so that every node can reach, redirect
 * to and show members added at run time.
 *
 * <p>The encoding is {@code raft=HOST:PORT;http=HOST:PORT}, for example {@code
 * raft=10.0.0.4:9084;http=10.0.0.4:8084}: fields in any order, unknown fields ignored (room for
 * later ones). The Netty transport's default {@code PeerResolver} reads the {@code raft} field, the
 * HTTP API the {@code http} field. On the HTTP/JSON transport both are the member's HTTP address.
 *
 * @param http {@code host:port} of its HTTP API
 * @param raft {@code host:port} of its Raft transport
 */
public record MemberAddress(String http, String raft) {
  public MemberAddress {
    requireHostPort(http, "http");
    requireHostPort(raft, "raft");
  }

  /** {@code raft=...;http=...}. */
  public String encode() {
    return "raft=" + raft + ";http=" + http;
  }

  /**
   * Reads {@link #encode()}.
   *
   * @return empty when {@code text} is null or lacks a valid {@code raft} or {@code http} field
   */
  public static Optional<MemberAddress> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String http = null;
    String raft = null;
    for (String field : text.split(";")) {
      int eq = field.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String name = field.substring(0, eq).trim();
      String value = field.substring(eq + 1).trim();
      if (name.equals("http")) {
        http = value;
      } else if (name.equals("raft")) {
        raft = value;
      }
    }
    try {
      return http == null || raft == null ? Optional.empty() : Optional.of(new MemberAddress(http, raft));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * Checks that {@code value} is {@code host:port} with a port in 1..65535 and no {@code ;} or
   * {@code =} (which would break the encoding).
   *
   * @throws IllegalArgumentException naming the field and the rule
   */
  static void requireHostPort(String value, String field) {
    Objects.requireNonNull(value, field);
    int colon = value.lastIndexOf(':');
    boolean ok = colon > 0 && colon < value.length() - 1 && value.indexOf(';') < 0 && value.indexOf('=') < 0
        && value.chars().noneMatch(Character::isWhitespace);
    if (ok) {
      try {
        int port = Integer.parseInt(value.substring(colon + 1));
        ok = port >= 1 && port <= 65535;
      } catch (NumberFormatException e) {
        ok = false;
      }
    }
    if (!ok) {
      throw new IllegalArgumentException("\"" + field + "\" must be host:port with a port in 1..65535, not '"
          + value + "'");
    }
  }
}
