/**
 * The entry point for hosts: {@link dev.pontoon.raft.engine.RaftServer}, a live Raft node built
 * with {@link dev.pontoon.raft.engine.RaftServerBuilder}, and the {@link dev.pontoon.raft.engine.ReadMode}
 * it serves reads with.
 */
package dev.pontoon.raft.engine;
