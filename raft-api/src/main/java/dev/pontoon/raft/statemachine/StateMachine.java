package dev.pontoon.raft.statemachine;

import dev.pontoon.raft.log.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The application's replicated state: Pontoon applies every committed command to it, on every
 * node, in log order.
 *
 * <p><b>Determinism.</b> {@link #apply} must give the same result and the same state on every
 * node for the same sequence of commands: no clocks, randomness or outside I/O.
 *
 * <p><b>Replay.</b> After a restart the log is applied again from the latest snapshot (or from
 * the start) into a fresh instance: an entry may be applied more than once over the life of the
 * process. Side effects outside the state must be idempotent.
 *
 * <p><b>Threading.</b> All methods are called from one apply thread of the node; calls never
 * overlap, so the state needs no locks as far as Pontoon is concerned.
 *
 * <p><b>Errors.</b> An application error (key missing, precondition failed) is a value the
 * command's result carries. An exception thrown from {@link #apply} stops the node, because
 * the replicas could otherwise diverge.
 */
public interface StateMachine {

  /**
   * Applies a committed command.
   *
   * @param index the log index of the command
   * @param command the command bytes as submitted
   * @return the result handed to the submitter's future (on the node that accepted it)
   */
  Bytes apply(long index, Bytes command);

  /**
   * Answers a read-only query against the current state. Called once the state includes every
   * command committed before the read was issued (linearizable reads).
   */
  Bytes query(Bytes query);

  /**
   * Captures the state for a snapshot, quickly, on the apply thread. The returned writer may be
   * run later on another thread, so it must not depend on state that later commands change.
   *
   * @throws UnsupportedOperationException if this state machine does not support snapshots
   */
  default SnapshotWriter captureSnapshot() {
    throw new UnsupportedOperationException("this StateMachine does not support snapshots");
  }

  /**
   * Replaces the whole state with a snapshot written by {@link #captureSnapshot()}.
   *
   * @throws IOException if the snapshot cannot be read
   */
  default void restoreSnapshot(InputStream snapshot) throws IOException {
    throw new UnsupportedOperationException("this StateMachine does not support snapshots");
  }

  /** Writes a captured state; may run on any thread, and may be slow. */
  @FunctionalInterface
  interface SnapshotWriter {
    /** Writes the captured state to {@code out}; does not close it. */
    void writeTo(OutputStream out) throws IOException;
  }
}
