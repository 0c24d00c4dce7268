package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.engine.linearizability.KvModel.CompareAndSet;
import dev.pontoon.raft.engine.linearizability.KvModel.Delete;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import dev.pontoon.raft.engine.linearizability.KvModel;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The state machine of the simulator's own key-value clients ({@link KvWorkload}): a map of text
 * to text. Commands are {@link KvCodec}-encoded writes, answered {@code "OK"}, or for a
 * compare-and-set {@code "true"}/{@code "false"}; a query is a key, answered with its value (empty
 * when absent: values are never empty). Deterministic, with snapshots.
 */
final class KvStateMachine implements StateMachine {
  private final Map<String, String> values = new HashMap<>();

  @Override
  public Bytes apply(long index, Bytes command) {
    return Bytes.ofUtf8(apply(KvCodec.decode(command)));
  }

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
      return swaps ? KvModel.SWAPPED : KvModel.NOT_SWAPPED;
    }
    throw new IllegalArgumentException("not a write: " + command);
  }

  /** {@code query} is a key; the answer its value, empty when absent. */
  @Override
  public Bytes query(Bytes query) {
    String value = values.get(query.toUtf8());
    return value == null ? Bytes.EMPTY : Bytes.ofUtf8(value);
  }

  @Override
  public SnapshotWriter captureSnapshot() {
    Bytes state = snapshot();
    return out -> out.write(state.toByteArray());
  }

  @Override
  public void restoreSnapshot(InputStream snapshot) throws IOException {
    KvStateMachine restored = restore(Bytes.wrap(snapshot.readAllBytes()));
    values.clear();
    values.putAll(restored.values);
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
