package dev.pontoon.raft.engine.core;

/**
 * Where an accepted proposal sits in the leader's log. The command is committed exactly when
 * an entry with this index <em>and this term</em> is committed; if another term's entry commits
 * at this index, the proposal was lost and never applied.
 *
 * @param index the log index assigned
 * @param term the leader's term, which is the entry's term
 */
public record Proposal(long index, long term) {}
