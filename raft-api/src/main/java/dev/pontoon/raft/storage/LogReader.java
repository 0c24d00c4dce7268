package dev.pontoon.raft.storage;

import dev.pontoon.raft.log.LogEntry;
import java.util.List;

/**
 * A read-only view of the durable log, through which the Raft core reads it. Every write goes
 * through {@link LogStore}, driven by the runtime.
 *
 * <p>Indexes start at 1. After prefix truncation (compaction) the log starts at
 * {@link #firstIndex()} and the term of {@code firstIndex() - 1} is still known, so that a
 * leader can send {@code prevLogTerm} for the first remaining entry. An empty, never-compacted
 * log has {@code firstIndex() == 1}, {@code lastIndex() == 0} and {@code term(0) == 0}.
 *
 * <p><b>Threading.</b> Reads may run on another thread than the single writer, concurrently with
 * writes. A read of an index that no concurrent write touches sees the durable value.
 */
public interface LogReader {

  /** Index of the first entry held; {@code lastIndex() + 1} when the log is empty. */
  long firstIndex();

  /** Index of the last entry held, or {@code firstIndex() - 1} when the log is empty. */
  long lastIndex();

  /**
   * The term of the entry at {@code index}.
   *
   * @param index in {@code [firstIndex() - 1, lastIndex()]}
   * @throws LogCompactedException if {@code index < firstIndex() - 1}
   * @throws IndexOutOfBoundsException if {@code index > lastIndex()}
   * @throws StorageException if the store failed or found corruption
   */
  long term(long index);

  /**
   * Entries in {@code [fromIndex, toIndex)}, at most {@code maxBytes} of them by
   * {@link LogEntry#sizeInBytes()} but always at least one when the range is not empty.
   *
   * @throws LogCompactedException if {@code fromIndex < firstIndex()}
   * @throws IndexOutOfBoundsException if {@code toIndex > lastIndex() + 1} or {@code fromIndex > toIndex}
   * @throws StorageException if the store failed or found corruption
   */
  List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes);
}
