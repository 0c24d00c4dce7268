/**
 * The deterministic simulator: a whole Raft cluster of {@code RaftCore}s in one thread, over a
 * simulated network that loses, duplicates, delays and partitions messages, with crashes that
 * lose unsynced writes, restarts from durable state, and clients whose history is checked for
 * linearizability. Safety properties of the Raft paper (Election Safety, Log Matching, Leader
 * Completeness, State Machine Safety, monotonic term and commit) are checked after every event.
 * One seed drives every random choice, so any failing run replays exactly; run it with
 * {@link dev.pontoon.raft.engine.sim.SimulateMain}.
 */
package dev.pontoon.raft.engine.sim;
