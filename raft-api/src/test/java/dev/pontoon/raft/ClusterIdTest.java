package dev.pontoon.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClusterIdTest {
  @Test
  void idsAreComparedByValueAndPrintAsThemselves() {
    assertEquals(ClusterId.of("payments-raft"), new ClusterId("payments-raft"));
    assertEquals("payments-raft", ClusterId.of("payments-raft").toString());
  }

  @Test
  void blankSpacedControlAndOverlongIdsAreRefusedWithTheRule() {
    assertEquals("cluster id must not be blank",
        assertThrows(IllegalArgumentException.class, () -> ClusterId.of(" ")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> ClusterId.of("my cluster"));
    assertThrows(IllegalArgumentException.class, () -> ClusterId.of("c\u0000"));
    assertThrows(IllegalArgumentException.class, () -> ClusterId.of("x".repeat(256)));
    assertThrows(NullPointerException.class, () -> ClusterId.of(null));
  }
}
