package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.CoreStatus.PeerProgress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A leader's status lists its progress in a {@link ProgressMap}: an immutable map like any other. */
class ProgressMapTest {

  private static final NodeId N1 = NodeId.of("n1");
  private static final NodeId N2 = NodeId.of("n2");
  private static final NodeId N3 = NodeId.of("n3");

  private static ProgressMap threeMembers() {
    return new ProgressMap(new NodeId[] {N2, N1, N3}, new long[] {7, 8, 5, 6, 0, 1});
  }

  @Test
  void progressMapEqualsAnyMapOfTheSameEntriesAndKeepsTheGivenOrder() {
    ProgressMap map = threeMembers();
    Map<NodeId, PeerProgress> same = Map.of(N1, new PeerProgress(5, 6), N2, new PeerProgress(7, 8), N3,
        new PeerProgress(0, 1));
    List<NodeId> order = new ArrayList<>(map.keySet());

    assertAll(
        () -> assertEquals(same, map),
        () -> assertEquals(map, same),
        () -> assertEquals(same.hashCode(), map.hashCode()),
        () -> assertEquals(3, map.size()),
        () -> assertEquals(new PeerProgress(5, 6), map.get(N1)),
        () -> assertTrue(map.containsKey(N3)),
        () -> assertNull(map.get(NodeId.of("n4"))),
        () -> assertFalse(map.containsKey(NodeId.of("n4"))),
        () -> assertEquals(List.of(N2, N1, N3), order));
  }

  @Test
  void progressMapRefusesEveryChange() {
    ProgressMap map = threeMembers();

    assertAll(
        () -> assertThrows(UnsupportedOperationException.class, () -> map.put(N1, new PeerProgress(1, 2))),
        () -> assertThrows(UnsupportedOperationException.class, () -> map.remove(N1)),
        () -> assertThrows(UnsupportedOperationException.class, map::clear),
        () -> assertThrows(UnsupportedOperationException.class, () -> {
          var entries = map.entrySet().iterator();
          entries.next();
          entries.remove();
        }),
        () -> assertEquals(3, map.size()));
  }

  @Test
  void progressMapRefusesANullKeyAndIndexesThatDoNotMatchTheIds() {
    assertAll(
        () -> assertThrows(NullPointerException.class, () -> threeMembers().get(null)),
        () -> assertThrows(IllegalArgumentException.class, () -> new ProgressMap(new NodeId[] {N1}, new long[] {1})));
  }

  @Test
  void coreStatusCopiesAProgressMapItDidNotBuild() {
    Map<NodeId, PeerProgress> mutable = new HashMap<>(Map.of(N1, new PeerProgress(1, 2)));
    CoreStatus status = new CoreStatus(N1, Role.LEADER, 1, N1, N1, 0, 0, 0, null, mutable);

    mutable.put(N2, new PeerProgress(0, 1));

    assertEquals(Map.of(N1, new PeerProgress(1, 2)), status.progress());
    assertThrows(UnsupportedOperationException.class, () -> status.progress().put(N2, new PeerProgress(0, 1)));
  }
}
