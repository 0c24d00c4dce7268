package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The simulated clients' key-value state as a {@link StateMachine}, for a {@link RuntimeNode}:
 * the runtime applies, queries, snapshots and restores it as it would a user's, and every
 * applied command and restored snapshot is reported to the checkers.
 */
final class SimKvStateMachine implements StateMachine {

  private final Simulation sim;
  private final NodeId id;
  private KvStateMachine kv = new KvStateMachine();
  /** Index of the last command applied (no-ops never reach a state machine). */
  private long lastCommand;

  SimKvStateMachine(Simulation sim, NodeId id) {
    this.sim = sim;
    this.id = id;
  }

  @Override
  public Bytes apply(long index, Bytes command) {
    sim.invariants().appliedCommand(id, index, command);
    KvCodec.Decoded d = KvCodec.decode(command);
    String result = kv.apply(d.command());
    lastCommand = index;
    sim.commandApplied(d.opId(), result);
    return Bytes.ofUtf8(result);
  }

  /** {@code query} is a key; the answer its value, empty when absent (values are never empty). */
  @Override
  public Bytes query(Bytes query) {
    return encodeValue(kv.get(query.toUtf8()));
  }

  /** The local value of {@code key}, without any Raft round (the local-reads sabotage). */
  String localValue(String key) {
    return kv.get(key);
  }

  @Override
  public SnapshotWriter captureSnapshot() {
    Bytes state = kv.snapshot();
    long index = lastCommand;
    return out -> {
      DataOutputStream data = new DataOutputStream(out);
      data.writeLong(index);
      data.write(state.toByteArray());
      data.flush();
    };
  }

  @Override
  public void restoreSnapshot(InputStream snapshot) throws IOException {
    DataInputStream in = new DataInputStream(snapshot);
    long index = in.readLong();
    kv = KvStateMachine.restore(Bytes.wrap(in.readAllBytes()));
    lastCommand = index;
    sim.invariants().restored(id, index);
  }

  static Bytes encodeValue(String value) {
    return value == null ? Bytes.EMPTY : Bytes.ofUtf8(value);
  }

  static String decodeValue(Bytes value) {
    return value.isEmpty() ? null : value.toUtf8();
  }
}
