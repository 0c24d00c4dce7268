/**
 * A {@link dev.pontoon.raft.storage.SnapshotStore} on plain files: each snapshot is streamed to a
 * temporary file, fsynced, atomically renamed and its directory fsynced; the newest few are kept,
 * each verified by checksums when the store opens (a damaged newest one falls back to the
 * previous) and again as it is read; the directory records the cluster and node it belongs to.
 * Files of the previous release's format (version 1) are still read, never written.
 */
package dev.pontoon.raft.storage.file;
