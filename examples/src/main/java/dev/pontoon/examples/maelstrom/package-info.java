/**
 * A Pontoon node that speaks the Maelstrom protocol (JSON lines on stdin/stdout) and runs the
 * {@code lin-kv} workload on the KV state machine, driving {@link dev.pontoon.raft.engine.core.RaftCore}
 * directly in one thread.
 */
package dev.pontoon.examples.maelstrom;
