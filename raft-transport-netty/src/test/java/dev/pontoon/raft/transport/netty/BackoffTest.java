package dev.pontoon.raft.transport.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000;

  @Test
  void delayDoublesFromTheMinimumWithJitterInTheUpperHalf() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new SplittableRandom(1));
    long ceiling = 100 * MS;
    for (int attempt = 0; attempt < 6; attempt++) {
      long delay = backoff.nextDelayNanos();
      assertTrue(delay >= ceiling / 2 && delay <= ceiling, "attempt " + attempt + ": " + delay);
      ceiling *= 2;
    }
  }

  @Test
  void delayNeverExceedsTheMaximumEvenAfterManyFailures() {
    Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofSeconds(5), new SplittableRandom(2));
    for (int attempt = 0; attempt < 200; attempt++) {
      long delay = backoff.nextDelayNanos();
      assertTrue(delay > 0 && delay <= 5_000 * MS, "attempt " + attempt + ": " + delay);
    }
  }

  @Test
  void resetStartsFromTheMinimumAgain() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), new SplittableRandom(3));
    for (int i = 0; i < 10; i++) {
      backoff.nextDelayNanos();
    }
    backoff.reset();
    assertTrue(backoff.nextDelayNanos() <= 100 * MS);
  }

  @Test
  void sameSeedGivesTheSameDelays() {
    Backoff a = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1), new SplittableRandom(9));
    Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(1), new SplittableRandom(9));
    for (int i = 0; i < 20; i++) {
      assertEquals(a.nextDelayNanos(), b.nextDelayNanos());
    }
  }
}
