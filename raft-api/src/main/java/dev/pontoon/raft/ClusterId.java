package dev.pontoon.raft;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The identity of one cluster, such as {@code payments-raft}: the one name that every part of a
 * node uses to refuse what belongs to another cluster. The log store records it when it is
 * created and refuses to open a directory of another cluster; the transport refuses connections
 * and frames of another cluster. Give each cluster its own id, and every member of a cluster the
 * same one.
 *
 * <p>An id is compared by value. It must be non-blank, at most {@value #MAX_UTF8_LENGTH} bytes in
 * UTF-8, and contain no whitespace or control characters, so that it prints readably in logs and
 * fits the stores' and transports' formats. Immutable.
 *
 * @param value the id as text
 */
public record ClusterId(String value) {
  /** The longest id, in UTF-8 bytes. */
  public static final int MAX_UTF8_LENGTH = 255;

  public ClusterId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("cluster id must not be blank");
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_UTF8_LENGTH) {
      throw new IllegalArgumentException(
          "cluster id must be at most " + MAX_UTF8_LENGTH + " bytes in UTF-8: " + value.length() + " chars given");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException("cluster id must not contain whitespace or control characters: '"
            + value + "'");
      }
    }
  }

  /** Shorthand for {@code new ClusterId(value)}. */
  public static ClusterId of(String value) {
    return new ClusterId(value);
  }

  @Override
  public String toString() {
    return value;
  }
}
