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
 * process. Side effects outside the state must be idempotent. A state machine that keeps its
 * state on disk reports how far it got with {@link #durableAppliedIndex()} and is replayed only
 * from there.
 *
 * <p><b>Threading.</b> Calls never overlap and each happens-before the next, so the state needs
 * no locks as far as Pontoon is concerned. They come from the node's apply thread or its event
 * loop: by default the loop runs them while they are quick and the apply thread is idle, so
 * consecutive calls may come from either (never keep per-thread state);
 * {@code applyOnEventLoop(false)} keeps them on the apply thread, {@code true} on the loop.
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
   * command committed before the read was issued (linearizable reads). An exception thrown here
   * fails only that read (its future completes with it); an {@link Error} fails that read with it
   * too and then stops the node, as one from {@link #apply} does.
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
   * Replaces the whole state with a snapshot written by {@link #captureSnapshot()}. The stream may
   * be far larger than the heap: read it as a stream. It throws {@link IOException} at its end if
   * the bytes fail their checksum; the node then stops rather than run on a damaged state. The
   * stream belongs to the caller: reading it only in part or closing it (a try-with-resources) is
   * fine, as the node reads what is left and checks the checksum itself afterwards.
   *
   * @throws IOException if the snapshot cannot be read
   */
  default void restoreSnapshot(InputStream snapshot) throws IOException {
    throw new UnsupportedOperationException("this StateMachine does not support snapshots");
  }

  /**
   * The index up to which this state machine already holds the log when the node starts, for a
   * state machine that keeps its own state on disk. The node then skips restoring a snapshot that
   * is not newer, and replays only the committed entries after this index, instead of the whole
   * log from the latest snapshot. Called once, on the starting thread, before any other method.
   *
   * <p>The default, 0, is right for a state machine that starts empty each time (held in memory):
   * the node restores the latest snapshot, then replays the log after it.
   *
   * <p><b>Contract.</b> Only committed entries are ever applied, so the index must be one this
   * node's log (or its latest snapshot) still covers: a state machine that persists its state
   * should do so no further than the log this node made durable — in practice, persist lazily
   * (on a snapshot capture, or every so many entries); the node refuses to start, with a message
   * saying so, when the index is beyond its durable log.
   *
   * @return the last applied index held durably, 0 when none
   */
  default long durableAppliedIndex() {
    return 0;
  }

  /**
   * Writes a captured state; may run on any thread, and may be slow. The runtime streams what it
   * writes to the {@code SnapshotStore} (a file), never into memory.
   */
  @FunctionalInterface
  interface SnapshotWriter {
    /** Writes the captured state to {@code out}; does not close it. */
    void writeTo(OutputStream out) throws IOException;
  }
}
