/**
 * Values of the replicated log: entries, payload bytes, hard state, cluster configuration and
 * snapshots. All are immutable and safe to share between threads.
 */
package dev.pontoon.raft.log;
