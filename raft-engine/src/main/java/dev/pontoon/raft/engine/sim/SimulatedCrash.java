package dev.pontoon.raft.engine.sim;

/**
 * Thrown at a crash point inside a simulated node's work (a disk write, a sync, a snapshot
 * commit) once the simulator has crashed the node there: it unwinds the rest of the task, which
 * a dead process would never have run. An {@link Error}, so that code catching exceptions to
 * recover from a failing store does not mistake the end of the process for one; what catches
 * it anyway finds its node dead, its queues stopped, its network and disk fenced.
 */
final class SimulatedCrash extends Error {

  SimulatedCrash(String where) {
    super(where, null, false, false);
  }
}
