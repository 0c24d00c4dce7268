package dev.pontoon.benchmarks.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The result line: field order, spelling and number formats are a contract that scripts parse. */
class LoadResultTest {

  /** The line's grammar, as documented on {@link LoadResult}. */
  static final String LINE = "ops=\\d+ ops/s=\\d+\\.\\d p50=\\d+\\.\\d{3}ms p99=\\d+\\.\\d{3}ms p999=\\d+\\.\\d{3}ms"
      + " max=\\d+\\.\\d{3}ms errors=\\d+ syncs/op=(\\d+\\.\\d{3}|-) cpu-us/op=(\\d+\\.\\d|-)";

  private static Histogram latencies(long... micros) {
    Histogram h = new Histogram(3);
    for (long us : micros) {
      h.recordValue(TimeUnit.MICROSECONDS.toNanos(us));
    }
    return h;
  }

  @Test
  void inProcessLineHasEveryFieldInOrder() {
    // 4 writes in 2 s (1, 2, 3 and 40 ms), 1 error, 1 sync, 1 ms of CPU.
    LoadResult result = new LoadResult(latencies(1_000, 2_000, 3_000, 40_000), 1, 2.0, 1, 1_000_000);
    String line = result.format();
    assertTrue(line.matches(LINE), line);
    assertTrue(line.startsWith("ops=4 ops/s=2.0 p50=2.00"), line);
    assertTrue(line.endsWith(" errors=1 syncs/op=0.250 cpu-us/op=250.0"), line);
  }

  @Test
  void latenciesAreHdrHistogramValuesInMillisecondsWithThreeDecimals() {
    Histogram h = latencies(1_000, 2_000, 3_000, 40_000);
    String expected = String.format(Locale.ROOT, "ops=4 ops/s=4.0 p50=%.3fms p99=%.3fms p999=%.3fms max=%.3fms",
        h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getValueAtPercentile(99.9) / 1e6,
        h.getMaxValue() / 1e6);
    assertTrue(new LoadResult(h, 0, 1.0, 0, 0).format().startsWith(expected + " "));
  }

  @Test
  void remoteTargetPrintsADashForSyncs() {
    LoadResult result = new LoadResult(latencies(500), 0, 1.0, -1, 3_000);
    assertEquals("ops=1 ops/s=1.0 p50=0.500ms p99=0.500ms p999=0.500ms max=0.500ms errors=0 syncs/op=- cpu-us/op=3.0",
        result.format());
  }

  @Test
  void noAcknowledgedWriteGivesZerosAndDashes() {
    LoadResult result = new LoadResult(new Histogram(3), 7, 15.0, 12, 5_000_000);
    assertEquals("ops=0 ops/s=0.0 p50=0.000ms p99=0.000ms p999=0.000ms max=0.000ms errors=7 syncs/op=- cpu-us/op=-",
        result.format());
  }

  @Test
  void unknownCpuTimeIsADash() {
    assertTrue(new LoadResult(latencies(10), 0, 1.0, 0, -1).format().endsWith(" syncs/op=0.000 cpu-us/op=-"));
  }

  @Test
  void largeNumbersHaveNoGroupingAndDotDecimalsInAnyLocale() {
    Locale previous = Locale.getDefault();
    Locale.setDefault(Locale.GERMANY);
    try {
      Histogram h = new Histogram(3);
      h.recordValueWithCount(TimeUnit.MILLISECONDS.toNanos(1_234), 3_000_000);
      String line = new LoadResult(h, 0, 2.0, 123_456, 4_567_000_000L).format();
      assertTrue(line.matches(LINE), line);
      assertTrue(line.startsWith("ops=3000000 ops/s=1500000.0 p50=123"), line);
      assertTrue(line.endsWith(" errors=0 syncs/op=0.041 cpu-us/op=1.5"), line);
    } finally {
      Locale.setDefault(previous);
    }
  }
}
