/**
 * A durable {@link dev.pontoon.raft.storage.LogStore} on plain files, {@link
 * dev.pontoon.raft.storage.segment.SegmentLogStore}: the log is its own write-ahead log, in
 * preallocated segment files that are overwritten in place, so that each group commit is one
 * {@code fdatasync} of data alone. It needs no native library.
 */
package dev.pontoon.raft.storage.segment;
