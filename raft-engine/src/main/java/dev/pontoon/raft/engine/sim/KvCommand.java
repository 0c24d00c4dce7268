package dev.pontoon.raft.engine.sim;

import java.util.Objects;

/**
 * An operation on the simulator's key-value model. Every operation touches exactly one key, which
 * lets the {@link LinearizabilityChecker} check each key on its own (linearizability is local:
 * Herlihy &amp; Wing, 1990, Theorem 1).
 *
 * <p>Values are text; {@code null} stands for "absent".
 */
sealed interface KvCommand {

  /** The key this operation reads or writes. */
  String key();

  /** Whether the operation changes the state (and so goes through the log). */
  default boolean isWrite() {
    return !(this instanceof Get);
  }

  /** Sets {@code key} to {@code value}; the result is always {@code "OK"}. */
  record Put(String key, String value) implements KvCommand {
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Reads {@code key}; the result is its value, or {@code null} when absent. */
  record Get(String key) implements KvCommand {
    public Get {
      Objects.requireNonNull(key, "key");
    }
  }

  /** Removes {@code key}; the result is always {@code "OK"}. */
  record Delete(String key) implements KvCommand {
    public Delete {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * Sets {@code key} to {@code value} only if its value equals {@code expected} ({@code null}:
   * only if absent); the result is {@code "true"} when it swapped, else {@code "false"}.
   */
  record CompareAndSet(String key, String expected, String value) implements KvCommand {
    public CompareAndSet {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }
}
