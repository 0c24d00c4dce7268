package dev.pontoon.raft.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The in-flight window bounds pipelining by message count and by bytes. */
class InflightsTest {

  @Test
  void fullWhenCountReachesCapacity() {
    Inflights in = new Inflights(3, 1_000);
    in.add(1, 10);
    in.add(2, 10);
    assertFalse(in.full());

    in.add(5, 10);

    assertTrue(in.full());
    assertEquals(3, in.count());
  }

  @Test
  void fullWhenBytesReachTheLimitEvenWithRoomInCount() {
    Inflights in = new Inflights(10, 100);
    in.add(1, 60);
    assertFalse(in.full());

    in.add(2, 40);

    assertTrue(in.full());
    assertEquals(100, in.bytes());
  }

  @Test
  void freeLeReleasesEveryMessageUpToTheAcknowledgedIndex() {
    Inflights in = new Inflights(4, 1_000);
    in.add(3, 1);
    in.add(6, 2);
    in.add(9, 4);

    in.freeLE(6);

    assertEquals(1, in.count());
    assertEquals(4, in.bytes());
    in.freeLE(100);
    assertEquals(0, in.count());
  }

  @Test
  void ringBufferWrapsAround() {
    Inflights in = new Inflights(3, 1_000);
    for (long i = 1; i <= 30; i++) {
      in.add(i, 1);
      in.freeLE(i - 2);
      assertTrue(in.count() <= 2);
    }
    assertEquals(2, in.count());
    in.freeFirstOne();
    in.freeFirstOne();
    in.freeFirstOne();
    assertEquals(0, in.count());
  }

  @Test
  void addingToAFullWindowIsRefused() {
    Inflights in = new Inflights(1, 1_000);
    in.add(1, 1);

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> in.add(2, 1));
    assertTrue(e.getMessage().contains("full"));
    assertEquals(1, in.count());
  }

  @Test
  void indexesMustIncrease() {
    Inflights in = new Inflights(4, 1_000);
    in.add(5, 1);

    assertThrows(IllegalStateException.class, () -> in.add(5, 1));
    assertEquals(1, in.count());
  }

  @Test
  void resetForgetsEverything() {
    Inflights in = new Inflights(2, 10);
    in.add(1, 10);
    in.reset();
    assertEquals(0, in.count());
    assertEquals(0, in.bytes());
    assertFalse(in.full());
  }

  @Test
  void badBoundsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new Inflights(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Inflights(1, 0));
  }
}
