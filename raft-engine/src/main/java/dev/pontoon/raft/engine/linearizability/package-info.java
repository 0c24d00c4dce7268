/**
 * A linearizability checker for histories of any system, in the manner of Porcupine: describe the
 * system's sequential behaviour as a {@link dev.pontoon.raft.engine.linearizability.Model}, record
 * what concurrent clients asked and were told in a
 * {@link dev.pontoon.raft.engine.linearizability.History}, and ask
 * {@link dev.pontoon.raft.engine.linearizability.LinearizabilityChecker} whether some order of the
 * operations, each placed between its invocation and its response, explains every response.
 *
 * <p>The answer is one of three ({@link dev.pontoon.raft.engine.linearizability.CheckResult.Verdict}):
 * linearizable, not linearizable (with, per partition, the shortest failing prefix of the history
 * and the operation that cannot be placed), or unknown when a step, memory or time budget ran out — an
 * unproven history is never reported as linearizable. {@link
 * dev.pontoon.raft.engine.linearizability.HistoryTimeline} draws a history and a result as a
 * self-contained HTML page.
 *
 * <p>Nothing here depends on Raft: the Pontoon simulator checks its client histories with it, and
 * so can tests of any service, over a network or in one process.
 */
package dev.pontoon.raft.engine.linearizability;
