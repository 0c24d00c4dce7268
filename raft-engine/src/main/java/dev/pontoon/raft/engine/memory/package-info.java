/**
 * In-memory implementations of the SPIs, for tests, the simulator, benchmarks and embedding
 * without durability: {@link dev.pontoon.raft.engine.memory.InMemoryLogStore} (which can model a
 * crash), {@link dev.pontoon.raft.engine.memory.InMemorySnapshotStore}, and
 * {@link dev.pontoon.raft.engine.memory.InMemoryNetwork}, an in-process hub whose transports
 * connect nodes of one JVM and can be disconnected and partitioned.
 */
package dev.pontoon.raft.engine.memory;
