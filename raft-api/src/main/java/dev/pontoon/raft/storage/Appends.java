package dev.pontoon.raft.storage;

import dev.pontoon.raft.log.LogEntry;
import java.util.List;

/**
 * The check every {@link LogStore#append} makes before it writes anything, for implementations
 * to share: entries follow the last index without a gap or an overlap, and terms never decrease.
 */
public final class Appends {
  private Appends() {}

  /**
   * Refuses {@code batch} unless it continues a log holding {@code [firstIndex, lastIndex]} whose
   * last entry (or, when empty, the entry before it) has {@code lastTerm}.
   *
   * @throws IllegalArgumentException naming the first entry out of place, and the log's bounds
   */
  public static void requireContinuation(List<LogEntry> batch, long firstIndex, long lastIndex, long lastTerm) {
    long expected = lastIndex + 1;
    long previousTerm = lastTerm;
    for (LogEntry e : batch) {
      if (e.index() != expected) {
        throw new IllegalArgumentException("append must continue the log: expected index " + expected
            + " but got " + e.index() + " (the log holds [" + firstIndex + ", " + lastIndex + "])");
      }
      if (e.term() < previousTerm) {
        throw new IllegalArgumentException("entry " + e.index() + " has term " + e.term()
            + ", lower than its predecessor's term " + previousTerm);
      }
      previousTerm = e.term();
      expected++;
    }
  }
}
