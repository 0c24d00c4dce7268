package dev.pontoon.examples.kv;

import dev.pontoon.raft.log.Bytes;
import java.util.Objects;

/**
 * What {@link KvStateMachine} answers to a command or a query. Application errors (missing
 * key, failed precondition, a command that does not decode) are values of this type, never
 * exceptions, so that every replica computes the same answer. Encoded with {@link KvCodec}.
 */
public sealed interface KvResult
    permits KvResult.Applied, KvResult.Value, KvResult.NotFound, KvResult.Mismatch, KvResult.Invalid {

  /**
   * A write took effect.
   *
   * @param index the log index at which it was applied
   * @param existed whether the key held a value before the write
   */
  record Applied(long index, boolean existed) implements KvResult {}

  /** A read found {@code value}. */
  record Value(Bytes value) implements KvResult {
    public Value {
      Objects.requireNonNull(value, "value");
    }
  }

  /** A read found no value for the key; or a compare-and-set expected a value and found none. */
  record NotFound() implements KvResult {}

  /**
   * A compare-and-set found another value than expected, and changed nothing.
   *
   * @param current the value found
   */
  record Mismatch(Bytes current) implements KvResult {
    public Mismatch {
      Objects.requireNonNull(current, "current");
    }
  }

  /** The command or query did not decode; nothing changed. */
  record Invalid(String reason) implements KvResult {
    public Invalid {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
