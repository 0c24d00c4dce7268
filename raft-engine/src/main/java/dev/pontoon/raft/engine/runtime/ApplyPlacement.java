package dev.pontoon.raft.engine.runtime;

/**
 * Where a node applies committed entries, serves reads and captures snapshots (the state
 * machine's calls). In every placement the calls never overlap, each happens-before the next, and
 * order and results are the same; only the thread differs.
 */
public enum ApplyPlacement {
  /** Always on the node's {@code -apply} thread: the event loop never waits for the state machine. */
  APPLY_THREAD,
  /** Always on the event loop: no hand-off, for a state machine that takes microseconds. */
  EVENT_LOOP,
  /**
   * On the event loop while the apply thread has nothing queued and the state machine's last
   * batch took at most {@link AdaptiveQueue#DEFAULT_BUDGET_NANOS}; on the apply thread otherwise
   * (and always for a snapshot restore). A quick state machine then costs no hand-off, and a slow
   * one holds the loop for at most one batch before its work moves to the apply thread.
   */
  ADAPTIVE
}
