package dev.pontoon.examples.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The members' page origins are spelled as browsers write an {@code Origin}, or a page's own writes get 403. */
class PeerDirectoryTest {
  @Test
  void aMemberOnTheSchemesDefaultPortIsAlsoItsOriginWithoutThePort() {
    PeerDirectory peers = new PeerDirectory(Map.of(NodeId.of("n1"), "kv1.example:443", NodeId.of("n2"), "kv2.example:8443"),
        "https");

    assertEquals(Set.of("https://kv1.example", "https://kv1.example:443", "https://kv2.example:8443"), peers.pageOrigins());
  }

  @Test
  void anIpv6LoopbackGivenInFullIsSpelledAsBrowsersDoAndGetsEveryLoopbackName() {
    PeerDirectory peers = new PeerDirectory(Map.of(NodeId.of("n1"), "[0:0:0:0:0:0:0:1]:8081"));

    Set<String> origins = peers.pageOrigins();
    assertTrue(origins.containsAll(Set.of("http://[::1]:8081", "http://127.0.0.1:8081", "http://localhost:8081")),
        origins.toString());
  }

  @Test
  void ipv6LiteralsAreShortenedByRfc5952() {
    assertEquals("[::1]", PeerDirectory.browserSpelling("[0:0:0:0:0:0:0:1]"));
    assertEquals("[2001:db8::1]", PeerDirectory.browserSpelling("[2001:db8:0:0:0:0:0:1]"));
    assertEquals("[2001:db8:0:1:1:1:1:1]", PeerDirectory.browserSpelling("[2001:db8:0:1:1:1:1:1]"));
    assertEquals("[2001:db8::1:0:0:1]", PeerDirectory.browserSpelling("[2001:db8:0:0:1:0:0:1]"));
    assertEquals("kv1.example", PeerDirectory.browserSpelling("kv1.example"));
  }
}
