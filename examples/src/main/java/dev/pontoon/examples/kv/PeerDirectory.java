package dev.pontoon.examples.kv;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Where each member's HTTP API listens ({@code host:port}), and over which scheme, for redirects,
 * the status pages, {@code GET /cluster}'s fan-out and the web origins the cluster page may talk to.
 * The addresses given at start come first; a member added at run time is found through its
 * {@link MemberAddress} in the configuration in force.
 *
 * @param scheme {@code http} or {@code https}, the same for every member
 * @param configuration the configuration in force (may give null), asked for members not in
 *     {@code httpAddresses}
 */
record PeerDirectory(Map<NodeId, String> httpAddresses, String scheme, Supplier<ClusterConfig> configuration) {
  /** The names a client on the machine reaches a loopback address by, as browsers write them. */
  static final Set<String> LOOPBACK_NAMES = Set.of("127.0.0.1", "localhost", "[::1]");

  PeerDirectory {
    httpAddresses = Map.copyOf(httpAddresses);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("scheme must be http or https, not " + scheme);
    }
  }

  PeerDirectory(Map<NodeId, String> httpAddresses, String scheme) {
    this(httpAddresses, scheme, () -> null);
  }

  PeerDirectory(Map<NodeId, String> httpAddresses) {
    this(httpAddresses, "http");
  }

  Optional<String> httpAddress(NodeId id) {
    String given = httpAddresses.get(id);
    return given != null ? Optional.of(given) : recorded(id).map(MemberAddress::http);
  }

  /** The member's addresses as the configuration in force records them. */
  Optional<MemberAddress> recorded(NodeId id) {
    ClusterConfig config = configuration.get();
    return config == null ? Optional.empty() : MemberAddress.parse(config.address(id).orElse(null));
  }

  /** The members' APIs as web origins ({@code scheme://host:port}, sorted), where a page may send requests. */
  Set<String> apiOrigins() {
    Set<String> origins = new TreeSet<>();
    httpAddresses.values().forEach(address -> origins.add(scheme + "://" + address));
    return origins;
  }

  /**
   * The web origins of the members' pages ({@code scheme://host:port}, sorted): a page served by
   * one member may call another's API, which is where a follower's 307 sends it. A member on a
   * loopback address is reachable under each loopback name, so each of those spellings is included.
   * Spelled as browsers write an {@code Origin}: lower case, IPv6 literals shortest, and the
   * scheme's default port left out (both forms are included).
   */
  Set<String> pageOrigins() {
    Set<String> origins = new TreeSet<>();
    String defaultPort = ":" + defaultPort(scheme);
    for (String given : httpAddresses.values()) {
      String address = given.toLowerCase(Locale.ROOT);
      int colon = address.lastIndexOf(':');
      String host = browserSpelling(colon < 0 || address.endsWith("]") ? address : address.substring(0, colon));
      String port = colon < 0 || address.endsWith("]") ? "" : address.substring(colon);
      for (String name : LOOPBACK_NAMES.contains(host) ? LOOPBACK_NAMES : Set.of(host)) {
        origins.add(scheme + "://" + name + port);
        if (port.equals(defaultPort)) {
          origins.add(scheme + "://" + name); // a browser leaves the scheme's default port out of an Origin
        }
      }
    }
    return origins;
  }

  /** The port a browser leaves out of an {@code Origin} or {@code Host} for {@code scheme}. */
  static int defaultPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }

  /**
   * {@code host} as a browser writes it in an {@code Origin}: an IPv6 literal in its shortest form
   * ({@code [0:0:0:0:0:0:0:1]} is {@code [::1]}, RFC 5952); any other host as given.
   */
  static String browserSpelling(String host) {
    if (!host.startsWith("[") || !host.endsWith("]")) {
      return host;
    }
    String[] groups;
    try {
      groups = java.net.InetAddress.getByName(host.substring(1, host.length() - 1)).getHostAddress().split(":");
    } catch (java.net.UnknownHostException | IllegalArgumentException e) {
      return host; // not a literal the JDK reads: left as given
    }
    if (groups.length != 8) {
      return host; // an IPv4 address in brackets, say
    }
    int bestStart = -1;
    int bestLength = 1; // RFC 5952: a single zero group is not shortened
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j].equals("0")) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    if (bestStart < 0) {
      return "[" + String.join(":", groups) + "]";
    }
    String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
    String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, 8));
    return "[" + head + "::" + tail + "]";
  }
}
