package dev.pontoon.benchmarks.loadgen;

import java.util.Arrays;

/**
 * Latencies of one client, in nanoseconds, appended by one thread at a time, merged and sorted
 * for exact percentiles at the end (the load generator's runs are short enough to keep them all).
 */
final class LatencyRecorder {

  private long[] values = new long[1024];
  private int size;

  void record(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  int size() {
    return size;
  }

  /** All recorders' values, sorted. */
  static long[] mergeSorted(Iterable<LatencyRecorder> recorders) {
    int total = 0;
    for (LatencyRecorder r : recorders) {
      total += r.size;
    }
    long[] all = new long[total];
    int at = 0;
    for (LatencyRecorder r : recorders) {
      System.arraycopy(r.values, 0, all, at, r.size);
      at += r.size;
    }
    Arrays.sort(all);
    return all;
  }

  /** The value at quantile {@code q} (nearest rank) of sorted {@code values}; 0 when empty. */
  static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }
}
