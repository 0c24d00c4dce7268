package dev.pontoon.raft.storage;

/**
 * The check every {@link LogStore#truncatePrefix} makes before it changes anything, for
 * implementations to share: the log must be able to start after the compacted index.
 */
public final class Compactions {
  private Compactions() {}

  /**
   * Refuses a compaction through {@code lastIncludedIndex} when no index is left after it: the log
   * would start at {@code lastIncludedIndex + 1}, which overflows. A store that wrote such a
   * compaction down first could not be opened again, so it is refused before anything changes.
   *
   * @throws IllegalArgumentException if {@code lastIncludedIndex} is {@link Long#MAX_VALUE}
   */
  public static void requireIndexAfter(long lastIncludedIndex) {
    if (lastIncludedIndex == Long.MAX_VALUE) {
      throw new IllegalArgumentException("cannot discard the log through index " + lastIncludedIndex
          + ": no index is left for the log to start at");
    }
  }
}
