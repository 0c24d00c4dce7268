package dev.pontoon.raft.engine.core;

/**
 * The AppendEntries a leader has sent to one follower in the replicate state and not yet seen
 * acknowledged: a ring buffer of the last index of each message, bounded both by count and by
 * payload bytes. Flow control only; it never affects safety.
 */
final class Inflights {

  private final int capacity;
  private final long maxBytes;
  private final long[] lastIndexes;
  private final long[] sizes;
  private int start;
  private int count;
  private long bytes;

  /**
   * @param capacity most messages in flight, at least 1
   * @param maxBytes most payload bytes in flight, at least 1 (one message may exceed it alone)
   */
  Inflights(int capacity, long maxBytes) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity (" + capacity + ") must be positive");
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be positive");
    }
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.lastIndexes = new long[capacity];
    this.sizes = new long[capacity];
  }

  /** Whether no further message may be sent until some are acknowledged. */
  boolean full() {
    return count == capacity || bytes >= maxBytes;
  }

  int count() {
    return count;
  }

  long bytes() {
    return bytes;
  }

  /**
   * Records a message carrying entries up to {@code lastIndex}, of {@code size} bytes.
   *
   * @throws IllegalStateException if full, or if {@code lastIndex} does not increase
   */
  void add(long lastIndex, long size) {
    if (full()) {
      throw new IllegalStateException("cannot add to full inflights (" + count + " messages, " + bytes + " bytes)");
    }
    if (count > 0 && lastIndex <= lastIndexes[(start + count - 1) % capacity]) {
      throw new IllegalStateException("inflight index " + lastIndex + " must increase past "
          + lastIndexes[(start + count - 1) % capacity]);
    }
    int slot = (start + count) % capacity;
    lastIndexes[slot] = lastIndex;
    sizes[slot] = size;
    count++;
    bytes += size;
  }

  /** Forgets every message whose last index is at or below {@code index} (acknowledged). */
  void freeLE(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      freeFirstOne();
    }
  }

  /** Forgets the oldest message, so that a stalled window can probe again. */
  void freeFirstOne() {
    if (count == 0) {
      return;
    }
    bytes -= sizes[start];
    start = (start + 1) % capacity;
    count--;
  }

  /** Forgets everything. */
  void reset() {
    start = 0;
    count = 0;
    bytes = 0;
  }
}
