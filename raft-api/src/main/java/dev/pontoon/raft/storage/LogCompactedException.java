package dev.pontoon.raft.storage;

/**
 * The requested index was discarded by prefix truncation and is covered by a snapshot. Not a
 * failure of the store: the leader sends a snapshot instead.
 */
public final class LogCompactedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long index;
  private final long firstIndex;

  public LogCompactedException(long index, long firstIndex) {
    super("index " + index + " is compacted; the log starts at " + firstIndex);
    this.index = index;
    this.firstIndex = firstIndex;
  }

  /** The index asked for. */
  public long index() {
    return index;
  }

  /** The first index the log still holds. */
  public long firstIndex() {
    return firstIndex;
  }
}
