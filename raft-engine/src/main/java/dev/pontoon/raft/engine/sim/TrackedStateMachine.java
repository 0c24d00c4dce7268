package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.statemachine.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The state machine a simulated node runs: the workload's own {@link StateMachine} (the user's,
 * or the simulator's key-value map) behind the simulator's {@link Envelope}, reporting to the
 * checkers what it applies. The runtime applies, queries, snapshots and restores it as it would
 * a host's.
 *
 * <p>Every applied command's result is reported to the State Machine Safety checker, which
 * requires the same result at an index on every replica and every replay (the determinism the
 * {@code StateMachine} contract asks for). With {@code reportApplies} (the runtime, which hands a
 * state machine only commands) it also reports each command and each restored snapshot; a bare
 * core's driver reports whole entries itself.
 *
 * <p>A snapshot is the index of the last command applied, then the inner state machine's own
 * snapshot.
 */
final class TrackedStateMachine implements StateMachine {

  private final Simulation sim;
  private final NodeId id;
  private final StateMachine inner;
  private final boolean reportApplies;
  /** Index of the last command applied (no-ops never reach a state machine). */
  private long lastCommand;

  TrackedStateMachine(Simulation sim, NodeId id, StateMachine inner, boolean reportApplies) {
    this.sim = sim;
    this.id = id;
    this.inner = inner;
    this.reportApplies = reportApplies;
  }

  @Override
  public Bytes apply(long index, Bytes entry) {
    if (reportApplies) {
      sim.invariants().appliedCommand(id, index, entry);
    }
    long opId = Envelope.opId(entry);
    Bytes result = opId == Envelope.PROBE ? Bytes.EMPTY : inner.apply(index, Envelope.payload(entry));
    sim.invariants().appliedResult(id, index, result);
    lastCommand = index;
    sim.commandApplied(opId, id, index, result);
    return result;
  }

  @Override
  public Bytes query(Bytes query) {
    return inner.query(query);
  }

  @Override
  public SnapshotWriter captureSnapshot() {
    SnapshotWriter state = inner.captureSnapshot();
    long index = lastCommand;
    return out -> {
      DataOutputStream data = new DataOutputStream(out);
      data.writeLong(index);
      data.flush();
      state.writeTo(out);
    };
  }

  @Override
  public void restoreSnapshot(InputStream snapshot) throws IOException {
    long index = new DataInputStream(snapshot).readLong();
    inner.restoreSnapshot(snapshot);
    lastCommand = index;
    if (reportApplies) {
      sim.invariants().restored(id, index);
    }
  }
}
