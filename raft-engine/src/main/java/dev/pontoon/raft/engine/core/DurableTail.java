package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.log.LogEntry;
import java.util.Arrays;
import java.util.List;

/**
 * The most recently persisted entries, kept in memory so that committing them, and feeding
 * followers that lag slightly, needs no store read. A ring of consecutive indexes
 * {@code [firstIndex(), lastIndex()]}, bounded by entry count and by bytes
 * ({@link LogEntry#sizeInBytes()}): appending past either bound evicts the oldest entries.
 *
 * <p>It only mirrors the store; {@link RaftLog} keeps it equal to the store at the indexes it
 * holds (see there). Not thread-safe: owned by the core's single thread.
 */
final class DurableTail {

  private final int maxEntries;
  private final long maxBytes;
  /** A power of two long, so that a position is found with a mask. */
  private LogEntry[] ring;
  /**
   * {@link LogEntry#sizeInBytes()} of the entry at the same position: evicting the oldest entry
   * then reads nothing of it, where its object (appended thousands of entries ago) is most likely
   * no longer in the CPU's caches.
   */
  private long[] sizes;
  /** Ring position of {@link #firstIndex()}. */
  private int head;
  private int size;
  private long firstIndex;
  private long bytes;

  DurableTail(int maxEntries, long maxBytes) {
    if (maxEntries < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("tail bounds must be positive, got " + maxEntries + " entries, "
          + maxBytes + " bytes");
    }
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    int capacity = Integer.highestOneBit(Math.min(16, maxEntries) * 2 - 1);
    this.ring = new LogEntry[capacity];
    this.sizes = new long[capacity];
  }

  boolean isEmpty() {
    return size == 0;
  }

  int size() {
    return size;
  }

  long bytes() {
    return bytes;
  }

  int maxEntries() {
    return maxEntries;
  }

  long maxBytes() {
    return maxBytes;
  }

  /** Index of the oldest entry held; meaningless when empty. */
  long firstIndex() {
    return firstIndex;
  }

  /** Index of the newest entry held; {@code firstIndex() - 1} when empty. */
  long lastIndex() {
    return firstIndex + size - 1;
  }

  /** The entry at {@code index}, which must lie in {@code [firstIndex(), lastIndex()]}. */
  LogEntry get(long index) {
    if (index < firstIndex || index > lastIndex()) {
      throw new IndexOutOfBoundsException("durable tail [" + firstIndex + ", " + lastIndex() + "] lacks " + index);
    }
    return ring[(head + (int) (index - firstIndex)) & (ring.length - 1)];
  }

  /**
   * Appends consecutive {@code entries}. When they do not follow {@link #lastIndex()}, the tail
   * restarts with them. Then the oldest entries go until both bounds hold again.
   */
  void append(List<LogEntry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    if (size == 0 || entries.get(0).index() != lastIndex() + 1) {
      clear();
      firstIndex = entries.get(0).index();
    }
    for (LogEntry e : entries) {
      if (size == maxEntries) {
        dropOldest();
      }
      if (size == ring.length) {
        grow();
      }
      int at = (head + size) & (ring.length - 1);
      long entryBytes = e.sizeInBytes();
      ring[at] = e;
      sizes[at] = entryBytes;
      size++;
      bytes += entryBytes;
      // An entry larger than the whole byte bound evicts itself too: the store still serves it.
      while (size > 0 && bytes > maxBytes) {
        dropOldest();
      }
    }
  }

  /** Drops every entry at or after {@code index}. */
  void truncateFrom(long index) {
    while (size > 0 && lastIndex() >= index) {
      int at = (head + size - 1) & (ring.length - 1);
      bytes -= sizes[at];
      ring[at] = null;
      size--;
    }
  }

  void clear() {
    Arrays.fill(ring, null);
    head = 0;
    size = 0;
    bytes = 0;
  }

  private void dropOldest() {
    bytes -= sizes[head];
    ring[head] = null;
    head = (head + 1) & (ring.length - 1);
    size--;
    firstIndex++;
  }

  private void grow() {
    // Called only when full below maxEntries, so the ring never outgrows the power of two at
    // or above maxEntries.
    LogEntry[] bigger = new LogEntry[ring.length * 2];
    long[] biggerSizes = new long[ring.length * 2];
    for (int k = 0; k < size; k++) {
      int at = (head + k) & (ring.length - 1);
      bigger[k] = ring[at];
      biggerSizes[k] = sizes[at];
    }
    ring = bigger;
    sizes = biggerSizes;
    head = 0;
  }

  void checkInvariants() {
    if (size > maxEntries || bytes > maxBytes) {
      throw new IllegalStateException("durable tail holds " + size + " entries / " + bytes + " bytes, bounds "
          + maxEntries + " / " + maxBytes);
    }
    long counted = 0;
    for (int k = 0; k < size; k++) {
      int at = (head + k) & (ring.length - 1);
      LogEntry e = ring[at];
      if (sizes[at] != e.sizeInBytes()) {
        throw new IllegalStateException("durable tail entry " + k + " recorded as " + sizes[at] + " bytes, holds "
            + e.sizeInBytes());
      }
      if (e.index() != firstIndex + k) {
        throw new IllegalStateException("durable tail entry " + k + " has index " + e.index() + ", expected "
            + (firstIndex + k));
      }
      counted += e.sizeInBytes();
    }
    if (counted != bytes) {
      throw new IllegalStateException("durable tail counts " + bytes + " bytes but holds " + counted);
    }
  }
}
