package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.linearizability.KvModel.CompareAndSet;
import dev.pontoon.raft.engine.linearizability.KvModel.Delete;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.log.Bytes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The simulated nodes' replicated state: a map of text to text. Deterministic; rebuilt from
 * nothing after a crash by applying the log again.
 */
final class KvStateMachine {
  private final Map<String, String> values = new HashMap<>();

  /** Applies a write and returns its result: {@code "OK"}, or for a CAS {@code "true"}/{@code "false"}. */
  String apply(KvModel.Input command) {
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

  /** The whole state, keys in order, so that equal states give equal bytes. */
  Bytes snapshot() {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(buffer)) {
      Map<String, String> sorted = new TreeMap<>(values);
      out.writeInt(sorted.size());
      for (Map.Entry<String, String> e : sorted.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeUTF(e.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Bytes.wrap(buffer.toByteArray());
  }

  /**
   * The state a {@link #snapshot()} holds.
   *
   * @throws IllegalArgumentException if the bytes are not a snapshot
   */
  static KvStateMachine restore(Bytes snapshot) {
    KvStateMachine kv = new KvStateMachine();
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot.toByteArray()))) {
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        kv.values.put(in.readUTF(), in.readUTF());
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException("trailing bytes after a key-value snapshot");
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed key-value snapshot: " + e.getMessage(), e);
    }
    return kv;
  }

  /** The value of {@code key}, or null when absent. */
  String get(String key) {
    return values.get(key);
  }
}
