package dev.pontoon.raft.engine.core;

/**
 * A confirmed linearizable read (ReadIndex, thesis §6.4): answer request {@code requestId} once
 * the state machine has applied up to {@code readIndex}.
 *
 * @param requestId the id the caller gave to {@link RaftCore#readIndex(long)}
 * @param readIndex the leader's commit index when the read was registered, confirmed by a quorum
 */
public record ReadState(long requestId, long readIndex) {}
