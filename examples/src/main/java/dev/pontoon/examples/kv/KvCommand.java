package dev.pontoon.examples.kv;

import dev.pontoon.raft.log.Bytes;
import java.util.Objects;

/**
 * A write to the key-value store, replicated through the Raft log and applied by
 * {@link KvStateMachine}. Encoded with {@link KvCodec}.
 */
public sealed interface KvCommand permits KvCommand.Put, KvCommand.Delete, KvCommand.CompareAndSet {

  /** The key the command touches. */
  Bytes key();

  /** Sets {@code key} to {@code value}. */
  record Put(Bytes key, Bytes value) implements KvCommand {
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Removes {@code key}; removing a missing key is not an error. */
  record Delete(Bytes key) implements KvCommand {
    public Delete {
      Objects.requireNonNull(key, "key");
    }
  }

  /**
   * Sets {@code key} to {@code to} only when its current value is {@code from}.
   *
   * @param from the expected current value, or {@code null} to require that the key is absent
   */
  record CompareAndSet(Bytes key, Bytes from, Bytes to) implements KvCommand {
    public CompareAndSet {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(to, "to");
    }
  }
}
