package dev.pontoon.raft.transport.netty;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential back-off with jitter for reconnecting to a peer: the n-th consecutive failure waits
 * a uniformly drawn time in {@code [d/2, d]}, where {@code d = min(max, min * 2^n)}. Jitter keeps
 * the nodes of a restarted cluster from reconnecting in lock step. Thread-safe.
 */
final class Backoff {
  private final long minNanos;
  private final long maxNanos;
  private final RandomGenerator random;
  private int failures;

  Backoff(Duration min, Duration max, RandomGenerator random) {
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  synchronized long nextDelayNanos() {
    long ceiling = maxNanos;
    if (failures < Long.SIZE - 1) {
      long doubled = minNanos << failures;
      boolean overflowed = doubled >> failures != minNanos;
      ceiling = overflowed ? maxNanos : Math.min(maxNanos, doubled);
    }
    if (failures < Integer.MAX_VALUE) {
      failures++;
    }
    long floor = ceiling / 2;
    return floor + random.nextLong(ceiling - floor + 1);
  }

  /**
   * Called once a connection has stayed up for {@code max} (not on its handshake, see {@link
   * PeerConnection}): the next failure starts from {@code min} again.
   */
  synchronized void reset() {
    failures = 0;
  }
}
