package dev.pontoon.raft.storage.segment;

import java.util.Arrays;

/**
 * Where each entry of the log lives: its term, segment, offset and record length, in parallel
 * arrays indexed from the first index. About 24 bytes per entry held; the payloads stay on disk.
 *
 * <p>An entry may be marked {@link #ELSEWHERE}: recovery starts from the oldest segment kept,
 * whose checkpoint names entries written into segments dropped since; every such entry must be
 * removed by a truncation replayed later, or the store is missing part of its log.
 *
 * <p>Not thread-safe: the store guards it.
 */
final class Locations {
  /** The segment of an entry known only from a checkpoint (see the class comment). */
  static final long ELSEWHERE = -1;

  private long firstIndex = 1;
  private long termBeforeFirst;
  private int start;
  private int count;
  private long[] terms = new long[1024];
  private long[] segments = new long[1024];
  private int[] offsets = new int[1024];
  private int[] lengths = new int[1024];

  long firstIndex() {
    return firstIndex;
  }

  long lastIndex() {
    return firstIndex + count - 1;
  }

  long termBeforeFirst() {
    return termBeforeFirst;
  }

  long lastTerm() {
    return count == 0 ? termBeforeFirst : terms[start + count - 1];
  }

  /** The term at {@code index}, in {@code [firstIndex - 1, lastIndex]}. */
  long term(long index) {
    return index == firstIndex - 1 ? termBeforeFirst : terms[slot(index)];
  }

  long segment(long index) {
    return segments[slot(index)];
  }

  int offset(long index) {
    return offsets[slot(index)];
  }

  int length(long index) {
    return lengths[slot(index)];
  }

  private int slot(long index) {
    return start + (int) (index - firstIndex);
  }

  /** Adds the entry after the last one. */
  void add(long term, long segment, int offset, int length) {
    if (start + count == terms.length) {
      makeRoom();
    }
    int slot = start + count;
    terms[slot] = term;
    segments[slot] = segment;
    offsets[slot] = offset;
    lengths[slot] = length;
    count++;
  }

  /** Removes {@code fromIndex} and after; {@code fromIndex} in {@code [firstIndex, lastIndex + 1]}. */
  void truncateFrom(long fromIndex) {
    count = (int) (fromIndex - firstIndex);
  }

  /**
   * Makes {@code newFirstIndex} the first index with {@code termBeforeFirst} before it: drops the
   * entries below it, or all of them when {@code newLastIndex < newFirstIndex}.
   */
  void restart(long newFirstIndex, long termBefore, long newLastIndex) {
    long kept = newLastIndex >= newFirstIndex ? newLastIndex - newFirstIndex + 1 : 0;
    if (kept > 0) {
      start = slot(newFirstIndex);
    } else {
      start = 0;
    }
    count = (int) kept;
    firstIndex = newFirstIndex;
    termBeforeFirst = termBefore;
  }

  /** The oldest segment holding an entry, or {@code fallback} when the log is empty. */
  long oldestSegment(long fallback) {
    return count == 0 ? fallback : segments[start];
  }

  /** Whether any entry is known only from a checkpoint; see {@link #ELSEWHERE}. */
  long firstElsewhere() {
    for (int i = 0; i < count; i++) {
      if (segments[start + i] == ELSEWHERE) {
        return firstIndex + i;
      }
    }
    return -1;
  }

  private void makeRoom() {
    if (start > 0 && count <= terms.length / 2) {
      System.arraycopy(terms, start, terms, 0, count);
      System.arraycopy(segments, start, segments, 0, count);
      System.arraycopy(offsets, start, offsets, 0, count);
      System.arraycopy(lengths, start, lengths, 0, count);
      start = 0;
      return;
    }
    int size = Math.max(1024, Math.multiplyExact(terms.length, 2));
    terms = Arrays.copyOfRange(terms, start, start + size);
    segments = Arrays.copyOfRange(segments, start, start + size);
    offsets = Arrays.copyOfRange(offsets, start, start + size);
    lengths = Arrays.copyOfRange(lengths, start, start + size);
    start = 0;
  }
}
