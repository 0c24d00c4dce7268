package dev.pontoon.examples.kv;

import dev.pontoon.raft.log.Bytes;
import java.util.Objects;

/**
 * A write to the key-value store, replicated through the Raft log and applied by
 * {@link KvStateMachine}. In the log it is its text form ({@link KvCommandText}: {@code PUT foo bar},
 * {@code DELETE foo}, {@code CAS foo bar baz}, {@code CREATE foo bar}), written by
 * {@link KvCodec#encode(KvCommand)}. Keys and values are never empty: each constructor refuses an
 * empty one with an {@link IllegalArgumentException}.
 */
public sealed interface KvCommand permits KvCommand.Put, KvCommand.Delete, KvCommand.CompareAndSet {

  /** The key the command touches. */
  Bytes key();

  /** Sets {@code key} to {@code value}. */
  record Put(Bytes key, Bytes value) implements KvCommand {
    public Put {
      requireWord(key, "key");
      requireWord(value, "value");
    }
  }

  /** Removes {@code key}; removing a missing key is not an error. */
  record Delete(Bytes key) implements KvCommand {
    public Delete {
      requireWord(key, "key");
    }
  }

  /**
   * Sets {@code key} to {@code to} only when its current value is {@code from}.
   *
   * @param from the expected current value, or {@code null} to require that the key is absent
   */
  record CompareAndSet(Bytes key, Bytes from, Bytes to) implements KvCommand {
    public CompareAndSet {
      requireWord(key, "key");
      if (from != null) {
        requireWord(from, "from");
      }
      requireWord(to, "to");
    }
  }

  private static void requireWord(Bytes field, String name) {
    Objects.requireNonNull(field, name);
    if (field.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
  }
}
