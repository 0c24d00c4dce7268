package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.sim.KvCommand.CompareAndSet;
import dev.pontoon.raft.engine.sim.KvCommand.Delete;
import dev.pontoon.raft.engine.sim.KvCommand.Put;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The simulated nodes' replicated state: a map of text to text. Deterministic; rebuilt from
 * nothing after a crash by applying the log again.
 */
final class KvStateMachine {
  private final Map<String, String> values = new HashMap<>();

  /** Applies a write and returns its result: {@code "OK"}, or for a CAS {@code "true"}/{@code "false"}. */
  String apply(KvCommand command) {
    if (command instanceof Put p) {
      values.put(p.key(), p.value());
      return "OK";
    } else if (command instanceof Delete d) {
      values.remove(d.key());
      return "OK";
    } else if (command instanceof CompareAndSet c) {
      boolean swaps = Objects.equals(values.get(c.key()), c.expected());
      if (swaps) {
        values.put(c.key(), c.value());
      }
      return Boolean.toString(swaps);
    }
    throw new IllegalArgumentException("not a write: " + command);
  }

  /** The value of {@code key}, or null when absent. */
  String get(String key) {
    return values.get(key);
  }
}
