/**
 * A {@link dev.pontoon.raft.storage.SnapshotStore} on plain files: each snapshot is written to a
 * temporary file, fsynced, atomically renamed and its directory fsynced, and verified by a
 * checksum whenever it is loaded.
 */
package dev.pontoon.raft.storage.file;
