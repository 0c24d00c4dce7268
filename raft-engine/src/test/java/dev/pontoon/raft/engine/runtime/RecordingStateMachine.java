package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small key-value state machine for tests: a command {@code key=value} sets a key and answers
 * the previous value; a query {@code key} answers the value (empty when absent). It records
 * every index it applied, so that tests can check each index is applied exactly once, in order.
 */
class RecordingStateMachine implements StateMachine {

  private final Map<String, String> values = new LinkedHashMap<>();
  private final List<Long> appliedIndexes = new ArrayList<>();
  private final List<String> appliedCommands = new ArrayList<>();
  private final java.util.Set<String> applyThreads = new java.util.HashSet<>();
  private int restores;

  /** One that throws {@code failure} from {@code apply} for the command {@code command}, as a buggy state machine would. */
  static RecordingStateMachine throwingOn(String command, RuntimeException failure) {
    return new RecordingStateMachine() {
      @Override
      public synchronized Bytes apply(long index, Bytes c) {
        if (c.toUtf8().equals(command)) {
          throw failure;
        }
        return super.apply(index, c);
      }
    };
  }

  @Override
  public synchronized Bytes apply(long index, Bytes command) {
    appliedIndexes.add(index);
    applyThreads.add(Thread.currentThread().getName());
    String text = command.toUtf8();
    appliedCommands.add(text);
    int eq = text.indexOf('=');
    String previous = eq < 0 ? null : values.put(text.substring(0, eq), text.substring(eq + 1));
    return Bytes.ofUtf8(previous == null ? "" : previous);
  }

  @Override
  public synchronized Bytes query(Bytes query) {
    return Bytes.ofUtf8(values.getOrDefault(query.toUtf8(), ""));
  }

  @Override
  public synchronized SnapshotWriter captureSnapshot() {
    Map<String, String> copy = new LinkedHashMap<>(values);
    return out -> {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(copy.size());
      for (Map.Entry<String, String> e : copy.entrySet()) {
        data.writeUTF(e.getKey());
        data.writeUTF(e.getValue());
      }
      data.flush();
    };
  }

  @Override
  public synchronized void restoreSnapshot(InputStream snapshot) throws IOException {
    DataInputStream in = new DataInputStream(snapshot);
    restores++;
    values.clear();
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      values.put(in.readUTF(), in.readUTF());
    }
  }

  /** The snapshot bytes of the current state. */
  synchronized Bytes snapshotBytes() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    captureSnapshot().writeTo(out);
    return Bytes.wrap(out.toByteArray());
  }

  synchronized List<Long> appliedIndexes() {
    return List.copyOf(appliedIndexes);
  }

  synchronized List<String> appliedCommands() {
    return List.copyOf(appliedCommands);
  }

  /** How many snapshots were restored into it. */
  synchronized int restores() {
    return restores;
  }

  /** Names of the threads that called {@code apply}. */
  synchronized java.util.Set<String> applyThreads() {
    return java.util.Set.copyOf(applyThreads);
  }

  synchronized int appliedCount() {
    return appliedCommands.size();
  }

  synchronized Map<String, String> values() {
    return Map.copyOf(values);
  }
}
