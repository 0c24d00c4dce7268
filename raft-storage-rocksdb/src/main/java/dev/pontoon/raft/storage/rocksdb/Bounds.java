package dev.pontoon.raft.storage.rocksdb;

import dev.pontoon.raft.storage.LogCompactedException;

/**
 * The part of the log readers may see, published as one immutable value.
 *
 * @param firstIndex first index held
 * @param lastIndex last index held; {@code firstIndex - 1} when empty
 * @param prefixTerm term of {@code firstIndex - 1} (0 for a never-compacted log)
 * @param lastTerm term of {@code lastIndex} ({@code prefixTerm} when empty)
 */
record Bounds(long firstIndex, long lastIndex, long prefixTerm, long lastTerm) {

  static Bounds empty(long firstIndex, long prefixTerm) {
    return new Bounds(firstIndex, firstIndex - 1, prefixTerm, prefixTerm);
  }

  /** Checks that the term of {@code index} is known: {@code [firstIndex - 1, lastIndex]}. */
  void checkTermIndex(long index) {
    if (index < firstIndex - 1) {
      throw new LogCompactedException(index, firstIndex);
    }
    if (index > lastIndex) {
      throw new IndexOutOfBoundsException("index " + index + " is past the last index " + lastIndex);
    }
  }

  /** Checks {@code [fromIndex, toIndex)} against {@code [firstIndex, lastIndex + 1)}. */
  void checkRange(long fromIndex, long toIndex) {
    if (toIndex > lastIndex + 1 || fromIndex > toIndex) {
      throw new IndexOutOfBoundsException("range [" + fromIndex + ", " + toIndex + ") is outside the log ["
          + firstIndex + ", " + (lastIndex + 1) + ")");
    }
  }
}
