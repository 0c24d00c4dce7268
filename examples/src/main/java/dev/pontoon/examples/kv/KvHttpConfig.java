package dev.pontoon.examples.kv;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timeouts of {@link KvHttpServer}. Validated in the constructor; each message names
 * the rule and the value.
 *
 * @param maxKeyBytes largest key, in UTF-8 bytes, after URL decoding
 * @param maxValueBytes largest value, in bytes; a larger body is answered 413
 * @param requestTimeout how long a write or read may wait for commit before the answer is 504
 * @param maxLogEntries most entries {@code GET /log} returns in one answer
 * @param idleTimeout how long a connection may stay silent before the server closes it
 * @param peerTimeout how long {@code GET /cluster} waits for each other member's status before it
 *     shows that member as unreachable; it bounds how long {@code GET /cluster} takes
 */
public record KvHttpConfig(int maxKeyBytes, int maxValueBytes, Duration requestTimeout, int maxLogEntries,
    Duration idleTimeout, Duration peerTimeout) {
  public KvHttpConfig {
    requirePositive(maxKeyBytes, "maxKeyBytes");
    requirePositive(maxValueBytes, "maxValueBytes");
    requirePositive(maxLogEntries, "maxLogEntries");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(peerTimeout, "peerTimeout");
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout (" + requestTimeout + ") must be positive");
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout (" + idleTimeout + ") must be positive");
    }
    if (peerTimeout.isNegative() || peerTimeout.isZero()) {
      throw new IllegalArgumentException("peerTimeout (" + peerTimeout + ") must be positive");
    }
  }

  /** Keys up to 1 KiB, values up to 64 KiB, 5 s per request, 1000 log entries, 60 s idle, 500 ms per peer. */
  public static KvHttpConfig defaults() {
    return new KvHttpConfig(1024, 64 * 1024, Duration.ofSeconds(5), 1000, Duration.ofSeconds(60),
        Duration.ofMillis(500));
  }

  public KvHttpConfig withMaxKeyBytes(int bytes) {
    return new KvHttpConfig(bytes, maxValueBytes, requestTimeout, maxLogEntries, idleTimeout, peerTimeout);
  }

  public KvHttpConfig withMaxValueBytes(int bytes) {
    return new KvHttpConfig(maxKeyBytes, bytes, requestTimeout, maxLogEntries, idleTimeout, peerTimeout);
  }

  public KvHttpConfig withRequestTimeout(Duration timeout) {
    return new KvHttpConfig(maxKeyBytes, maxValueBytes, timeout, maxLogEntries, idleTimeout, peerTimeout);
  }

  public KvHttpConfig withPeerTimeout(Duration timeout) {
    return new KvHttpConfig(maxKeyBytes, maxValueBytes, requestTimeout, maxLogEntries, idleTimeout, timeout);
  }

  /** The most bytes one request body may hold: a compare-and-set carries two values in JSON. */
  int maxBodyBytes() {
    return 2 * maxValueBytes * 6 + 1024; // JSON escapes (\\u0000) take at most 6 bytes per byte
  }

  private static void requirePositive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " (" + value + ") must be positive");
    }
  }
}
