package dev.pontoon.raft.storage.segment;

import java.util.Arrays;

/**
 * Entries on their way into {@link Locations}: encoded but not yet written (the writer's), or
 * replayed from an append not yet seen whole (recovery's).
 */
final class PendingLocations {
  private long[] terms = new long[256];
  private long[] segments = new long[256];
  private int[] offsets = new int[256];
  private int[] lengths = new int[256];
  private int count;

  void add(long term, long segment, int offset, int length) {
    if (count == terms.length) {
      terms = Arrays.copyOf(terms, count * 2);
      segments = Arrays.copyOf(segments, count * 2);
      offsets = Arrays.copyOf(offsets, count * 2);
      lengths = Arrays.copyOf(lengths, count * 2);
    }
    terms[count] = term;
    segments[count] = segment;
    offsets[count] = offset;
    lengths[count] = length;
    count++;
  }

  boolean isEmpty() {
    return count == 0;
  }

  int size() {
    return count;
  }

  void clear() {
    count = 0;
  }

  void drainInto(Locations locations) {
    for (int i = 0; i < count; i++) {
      locations.add(terms[i], segments[i], offsets[i], lengths[i]);
    }
    count = 0;
  }
}
