package dev.pontoon.benchmarks.loadgen;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one load run measured in its window, and the one line the tool prints for it:
 *
 * <pre>
 * ops=N ops/s=X p50=Yms p99=Yms p999=Yms max=Yms errors=E syncs/op=Z cpu-us/op=U
 * </pre>
 *
 * <p>The fields come in exactly this order, separated by one space, with {@code .} as the decimal
 * point and no thousands separator whatever the locale:
 * <ul>
 *   <li>{@code ops}: writes acknowledged in the window (sent at or after its start, acknowledged
 *       by its end), a whole number;
 *   <li>{@code ops/s}: {@code ops} divided by the window's length in seconds, one decimal;
 *   <li>{@code p50}, {@code p99}, {@code p999}, {@code max}: latency of those writes, from the
 *       call until the acknowledgement, in milliseconds with three decimals (HdrHistogram with
 *       three significant digits: each value is within 0.1 % above the true one), all
 *       {@code 0.000ms} when {@code ops} is 0;
 *   <li>{@code errors}: writes that failed in the window, a whole number;
 *   <li>{@code syncs/op}: log syncs of all nodes in the window per acknowledged write, three
 *       decimals; {@code -} when the syncs are not known (a remote cluster) or {@code ops} is 0;
 *   <li>{@code cpu-us/op}: CPU time of this process in the window per acknowledged write, in
 *       microseconds with one decimal; {@code -} when the JVM cannot tell its CPU time or
 *       {@code ops} is 0.
 * </ul>
 *
 * @param latencyNanos latencies of the acknowledged writes of the window
 * @param seconds the window's length
 * @param syncs log syncs of all nodes in the window, or -1 when not known
 * @param cpuNanos process CPU time in the window, or -1 when not known
 */
record LoadResult(Histogram latencyNanos, long errors, double seconds, long syncs, long cpuNanos) {

  /** Writes acknowledged in the window. */
  long ops() {
    return latencyNanos.getTotalCount();
  }

  /** The result line, without a line separator. */
  String format() {
    long ops = ops();
    return String.format(Locale.ROOT, "ops=%d ops/s=%.1f p50=%sms p99=%sms p999=%sms max=%sms errors=%d syncs/op=%s"
        + " cpu-us/op=%s", ops, seconds > 0 ? ops / seconds : 0.0, millis(percentile(50)), millis(percentile(99)),
        millis(percentile(99.9)), millis(ops == 0 ? 0 : latencyNanos.getMaxValue()), errors,
        perOp(syncs, 1, "%.3f"), perOp(cpuNanos, 1_000, "%.1f"));
  }

  private long percentile(double p) {
    return ops() == 0 ? 0 : latencyNanos.getValueAtPercentile(p);
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  private String perOp(long total, double unit, String format) {
    return total < 0 || ops() == 0 ? "-" : String.format(Locale.ROOT, format, total / unit / ops());
  }
}
