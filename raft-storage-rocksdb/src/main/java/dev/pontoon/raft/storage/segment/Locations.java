package dev.pontoon.raft.storage.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * Where each entry of the log lives: its term, segment, offset and record length, about 24 bytes
 * per entry held; the payloads stay on disk. Kept in pages of {@value #PAGE} entries, so that a
 * growing log never copies what it holds (a copy of millions of entries, made under the store's
 * lock, stalled readers for tens of milliseconds) and compaction frees whole pages.
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
  private static final int PAGE_BITS = 16;
  static final int PAGE = 1 << PAGE_BITS;
  private static final int MASK = PAGE - 1;

  private static final class Page {
    final long[] terms = new long[PAGE];
    final long[] segments = new long[PAGE];
    final int[] offsets = new int[PAGE];
    final int[] lengths = new int[PAGE];
  }

  private final List<Page> pages = new ArrayList<>();
  /** The index of the first slot of the first page. */
  private long base = 1;
  private long firstIndex = 1;
  private long lastIndex;
  private long termBeforeFirst;

  long firstIndex() {
    return firstIndex;
  }

  long lastIndex() {
    return lastIndex;
  }

  long termBeforeFirst() {
    return termBeforeFirst;
  }

  long lastTerm() {
    return term(lastIndex);
  }

  /** The term at {@code index}, in {@code [firstIndex - 1, lastIndex]}. */
  long term(long index) {
    return index == firstIndex - 1 ? termBeforeFirst : page(index).terms[slot(index)];
  }

  long segment(long index) {
    return page(index).segments[slot(index)];
  }

  int offset(long index) {
    return page(index).offsets[slot(index)];
  }

  int length(long index) {
    return page(index).lengths[slot(index)];
  }

  private Page page(long index) {
    return pages.get((int) ((index - base) >>> PAGE_BITS));
  }

  private int slot(long index) {
    return (int) ((index - base) & MASK);
  }

  /** Adds the entry after the last one. */
  void add(long term, long segment, int offset, int length) {
    long index = lastIndex + 1;
    int page = (int) ((index - base) >>> PAGE_BITS);
    if (page == pages.size()) {
      pages.add(new Page());
    }
    Page p = pages.get(page);
    int slot = slot(index);
    p.terms[slot] = term;
    p.segments[slot] = segment;
    p.offsets[slot] = offset;
    p.lengths[slot] = length;
    lastIndex = index;
  }

  /** Removes {@code fromIndex} and after; {@code fromIndex} in {@code [firstIndex, lastIndex + 1]}. */
  void truncateFrom(long fromIndex) {
    lastIndex = fromIndex - 1;
    int pagesNeeded = lastIndex < base ? 0 : (int) ((lastIndex - base) >>> PAGE_BITS) + 1;
    while (pages.size() > pagesNeeded) {
      pages.remove(pages.size() - 1);
    }
  }

  /**
   * Makes {@code newFirstIndex} the first index with {@code termBeforeFirst} before it: drops the
   * entries below it, or all of them when {@code newLastIndex < newFirstIndex}.
   */
  void restart(long newFirstIndex, long termBefore, long newLastIndex) {
    if (newLastIndex >= newFirstIndex) {
      int dropped = (int) ((newFirstIndex - base) >>> PAGE_BITS);
      pages.subList(0, dropped).clear();
      base += (long) dropped << PAGE_BITS;
    } else {
      pages.clear();
      base = newFirstIndex;
      newLastIndex = newFirstIndex - 1;
    }
    firstIndex = newFirstIndex;
    lastIndex = newLastIndex;
    termBeforeFirst = termBefore;
  }

  /** The oldest segment holding an entry, or {@code fallback} when the log is empty. */
  long oldestSegment(long fallback) {
    return lastIndex < firstIndex ? fallback : segment(firstIndex);
  }

  /** The first entry known only from a checkpoint, or -1; see {@link #ELSEWHERE}. */
  long firstElsewhere() {
    for (long index = firstIndex; index <= lastIndex; index++) {
      if (segment(index) == ELSEWHERE) {
        return index;
      }
    }
    return -1;
  }
}
