package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ScheduledTickSourceTest {

  private static boolean threadAlive(String name) {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && t.getName().equals(name));
  }

  @Test
  void ticksOnItsNamedThreadAndCloseEndsTheThreadBeforeReturning() {
    TickSource source = TickSource.fixedRate(Duration.ofMillis(1), "pontoon-t1-tick");
    AtomicInteger ticks = new AtomicInteger();
    source.start(ticks::incrementAndGet);
    await().atMost(10, TimeUnit.SECONDS).until(() -> ticks.get() >= 5);
    source.close();
    assertFalse(threadAlive("pontoon-t1-tick"));
    int atClose = ticks.get();
    source.close();
    assertEquals(atClose, ticks.get(), "no tick after close");
  }

  @Test
  void nonPositiveIntervalIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TickSource.fixedRate(Duration.ZERO, "pontoon-t2-tick"));
    assertEquals("tick interval (PT0S) must be positive", e.getMessage());
  }

  @Test
  void startingTwiceIsRefused() {
    TickSource source = TickSource.fixedRate(Duration.ofMillis(5), "pontoon-t3-tick");
    source.start(() -> {});
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> source.start(() -> {}));
      assertEquals("tick source pontoon-t3-tick was already started", e.getMessage());
    } finally {
      source.close();
    }
  }
}
