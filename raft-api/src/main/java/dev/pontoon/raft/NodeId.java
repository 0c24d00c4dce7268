package dev.pontoon.raft;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The identity of one Raft node (a member of a cluster), such as {@code n1}.
 *
 * <p>An id is opaque to Pontoon: it is compared by value and carried on the wire. It must be
 * non-blank, at most {@value #MAX_UTF8_LENGTH} bytes in UTF-8, and contain no whitespace or
 * control characters, so that it prints readably in logs and fits the wire format.
 *
 * <p>Serializable, so that exceptions naming ids can be; as a record, an id is read back through
 * its constructor, which checks it again.
 *
 * @param value the id as text
 */
public record NodeId(String value) implements Comparable<NodeId>, Serializable {
  /** The largest id, in UTF-8 bytes, that the wire format carries. */
  public static final int MAX_UTF8_LENGTH = 255;

  public NodeId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_UTF8_LENGTH) {
      throw new IllegalArgumentException(
          "node id must be at most " + MAX_UTF8_LENGTH + " bytes in UTF-8: " + value.length() + " chars given");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException("node id must not contain whitespace or control characters: '" + value + "'");
      }
    }
  }

  /** Shorthand for {@code new NodeId(value)}. */
  public static NodeId of(String value) {
    return new NodeId(value);
  }

  // Written out rather than generated: the record's generated equals is reached through an
  // invokedynamic call site, which in a profile of a leader's loop (ids compared on every message
  // and map lookup) stayed a method-handle call of its own. Same results as the generated ones.
  @Override
  public boolean equals(Object other) {
    return this == other || other instanceof NodeId id && value.equals(id.value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public int compareTo(NodeId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
