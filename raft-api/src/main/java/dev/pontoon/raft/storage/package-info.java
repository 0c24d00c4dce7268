/** The storage SPIs: the durable log, hard state and snapshots. */
package dev.pontoon.raft.storage;
