/**
 * The threads that turn the deterministic core into a live node: the event loop that owns the
 * core, the sync worker (group commit), the apply thread, ticks, pending requests and metrics.
 * Internal to the engine, except {@link dev.pontoon.raft.engine.runtime.TickSource}, which tests
 * and hosts may inject.
 */
package dev.pontoon.raft.engine.runtime;
