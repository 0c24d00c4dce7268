/**
 * The deterministic simulator: a whole Raft cluster in one thread — the production runtime
 * ({@code RaftServer}) on every node, or bare {@code RaftCore}s — over a simulated network that
 * loses, duplicates, delays and partitions messages, with crashes that lose unsynced writes,
 * restarts from durable state, and clients whose history is checked for linearizability. Safety
 * properties of the Raft paper (Election Safety, Log Matching, Leader Completeness, State Machine
 * Safety, monotonic term and commit) are checked after every event, every message as it leaves
 * its node against what that node holds durably (Figure 2), and every rise of a leader's commit
 * index against what a majority of its configuration holds durably. One seed drives every random
 * choice, so any failing run replays exactly; run it with
 * {@link dev.pontoon.raft.engine.sim.SimulateMain}.
 *
 * <p>The public part is a test kit: {@link dev.pontoon.raft.engine.sim.StateMachineSimulation}
 * runs a user's own {@code StateMachine} in the simulator, with the requests an
 * {@link dev.pontoon.raft.engine.sim.OperationGenerator} draws, against the user's
 * {@link dev.pontoon.raft.engine.linearizability.Model}, and reports each seed as a
 * {@link dev.pontoon.raft.engine.sim.SimulationResult} with its
 * {@link dev.pontoon.raft.engine.sim.Violation}s. Everything else here is package-private.
 */
package dev.pontoon.raft.engine.sim;
