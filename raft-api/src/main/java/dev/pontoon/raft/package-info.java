/**
 * Pontoon's host-facing API: the {@link dev.pontoon.raft.RaftNode} handle, node and cluster ids,
 * roles, status and the exceptions with which requests fail.
 */
package dev.pontoon.raft;
