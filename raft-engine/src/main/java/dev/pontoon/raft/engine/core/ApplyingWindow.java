package dev.pontoon.raft.engine.core;

/**
 * The committed entries handed out for applying and not yet reported applied: for each
 * {@link Ready} that carried some, the index of its last entry and its bytes (by
 * {@code LogEntry.sizeInBytes()}), oldest first. The state machine's counterpart of
 * {@link Inflights}, bounded by bytes only: no further entry is handed out while it would take
 * the window past {@code maxBytes}, except one entry alone when the window is empty, so that no
 * entry is ever stuck (etcd's applying pause). Flow control only; it never affects safety.
 *
 * <p>Invariants: last indexes strictly increase; {@code bytes} is the sum of the sizes held;
 * {@code blockedSize >= 0}. Not thread-safe: owned by the core's single thread.
 */
final class ApplyingWindow {

  private final long maxBytes;
  /** Ring buffers of the handouts held, from {@code start}, {@code count} of them; they grow as needed. */
  private long[] lastIndexes = new long[16];
  private long[] sizes = new long[16];
  private int start;
  private int count;
  /** Sum of {@code sizes} held. */
  private long bytes;
  /**
   * Size of the next committed entry to hand out when it was found not to fit beside the window
   * ({@link #block}); 0 when unknown. It stays right while the window shrinks, since the next
   * entry only changes with a handout ({@link #add}) or a snapshot ({@link #unblock}).
   */
  private long blockedSize;

  /** @param maxBytes most bytes handed out and not yet applied, at least 1 (one entry may exceed it alone) */
  ApplyingWindow(long maxBytes) {
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes (" + maxBytes + ") must be positive");
    }
    this.maxBytes = maxBytes;
  }

  long bytes() {
    return bytes;
  }

  int count() {
    return count;
  }

  /** Bytes that may still be handed out before the window is full; 0 or less when it is. */
  long room() {
    return maxBytes - bytes;
  }

  /** Whether an entry of {@code size} may go out after {@code pending} more bytes of this handout. */
  boolean fits(long pending, long size) {
    return bytes + pending == 0 || bytes + pending + size <= maxBytes;
  }

  /** Whether the next committed entry cannot be handed out until some are reported applied. */
  boolean paused() {
    return bytes >= maxBytes || (bytes > 0 && bytes + blockedSize > maxBytes);
  }

  /** The next committed entry, of {@code size} bytes, does not fit beside the window. */
  void block(long size) {
    blockedSize = size;
  }

  /** The next committed entry changed (a snapshot moved the handout on): its size is unknown again. */
  void unblock() {
    blockedSize = 0;
  }

  /**
   * Records a handout of entries up to {@code lastIndex}, of {@code size} bytes.
   *
   * @throws IllegalStateException if {@code lastIndex} does not increase
   */
  void add(long lastIndex, long size) {
    if (count > 0 && lastIndex <= lastIndexes[(start + count - 1) % lastIndexes.length]) {
      throw new IllegalStateException("applying index " + lastIndex + " must increase past "
          + lastIndexes[(start + count - 1) % lastIndexes.length]);
    }
    if (count == lastIndexes.length) {
      grow();
    }
    int slot = (start + count) % lastIndexes.length;
    lastIndexes[slot] = lastIndex;
    sizes[slot] = size;
    count++;
    bytes += size;
    blockedSize = 0;
  }

  /** Forgets every handout whose last entry is at or below {@code index} (applied). */
  void freeLE(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      bytes -= sizes[start];
      start = (start + 1) % lastIndexes.length;
      count--;
    }
  }

  private void grow() {
    long[] indexes = new long[lastIndexes.length * 2];
    long[] bigger = new long[sizes.length * 2];
    for (int k = 0; k < count; k++) {
      indexes[k] = lastIndexes[(start + k) % lastIndexes.length];
      bigger[k] = sizes[(start + k) % sizes.length];
    }
    lastIndexes = indexes;
    sizes = bigger;
    start = 0;
  }

  /** Checks the invariants, and that every handout held lies in {@code (applied, applying]}. */
  void checkInvariants(long applied, long applying) {
    long counted = 0;
    long previous = applied;
    for (int k = 0; k < count; k++) {
      long last = lastIndexes[(start + k) % lastIndexes.length];
      if (last <= previous || last > applying) {
        throw new IllegalStateException("applying window holds a handout up to " + last + " after " + previous
            + " (applied " + applied + ", applying " + applying + ")");
      }
      previous = last;
      counted += sizes[(start + k) % sizes.length];
    }
    if (counted != bytes || blockedSize < 0) {
      throw new IllegalStateException("applying window counts " + bytes + " bytes but holds " + counted
          + " (blocked size " + blockedSize + ")");
    }
  }

  @Override
  public String toString() {
    return "applying[" + count + " handouts, " + bytes + "/" + maxBytes + " bytes"
        + (blockedSize > 0 ? ", next " + blockedSize : "") + "]";
  }
}
