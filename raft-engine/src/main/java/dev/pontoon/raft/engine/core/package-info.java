/**
 * The Raft algorithm as a pure, deterministic state machine (etcd's RawNode model).
 *
 * <p>{@link dev.pontoon.raft.engine.core.RaftCore} takes inputs (ticks, messages, proposals,
 * reads, transfer requests) and hands out every effect in a {@link dev.pontoon.raft.engine.core.Ready}:
 * what to persist, what to send before and after the sync, what to apply. It has no threads,
 * clocks or I/O; one thread owns an instance. Everything else in the package is package-private:
 * the log view ({@code RaftLog}, {@code UnstableLog}), the role states, quorum arithmetic
 * ({@code MajorityConfig}), per-follower flow control ({@code Progress}, {@code Inflights}) and
 * ReadIndex bookkeeping ({@code ReadOnlyQueue}).
 */
package dev.pontoon.raft.engine.core;
