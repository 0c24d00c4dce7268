package dev.pontoon.benchmarks.loadgen;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code C} closed-loop clients writing to a {@link WriteTarget} for a warm-up and then a measured
 * window. Each client sends its next write as soon as the previous one is acknowledged, so
 * exactly {@code C} writes are outstanding. A client whose write fails counts an error and tries
 * again 10 ms later (the target follows the leader), so that a leaderless moment is not a busy
 * loop.
 *
 * <p><b>The window.</b> A write counts when it was sent at or after the window's start and
 * acknowledged by its end; an error counts when it arrived inside the window. The process's CPU
 * time and the target's log syncs are read at the window's start and end. Once the window ends,
 * clients send nothing more, and {@link #run} waits for the writes still outstanding (at most
 * {@value #DRAIN_SECONDS} s) so that closing the cluster does not race them.
 *
 * <p><b>Progress.</b> Once a second, one line on the progress stream: the phase, the second, and
 * that second's acknowledged writes per second, p50, p99 and errors. Every second of the run gets
 * its line even when the thread wakes late: the lines that fell due while it slept are printed
 * together (the first of them with the writes of all those seconds).
 *
 * <p><b>Threading.</b> {@link #run} once, from one thread, which sleeps between progress lines;
 * clients run on the target's completion threads and a retry timer.
 */
final class ClosedLoop {

  static final int DRAIN_SECONDS = 30;
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** Where the loop reads the time and how it waits; a seam so that tests can make it wake late. */
  interface Clock {
    Clock SYSTEM = new Clock() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public void sleepUntil(long deadline) throws InterruptedException {
        long wait;
        while ((wait = deadline - System.nanoTime()) > 0) {
          LockSupport.parkNanos(wait);
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
        }
      }
    };

    long nanoTime();

    /** Returns at or (possibly long) after {@code deadline}, a {@link #nanoTime} value. */
    void sleepUntil(long deadline) throws InterruptedException;
  }

  private final WriteTarget target;
  private final int concurrency;
  private final long warmupNanos;
  private final long durationNanos;
  private final PrintStream progress;
  private final Clock clock;

  /** Latencies of the window's acknowledged writes (auto-resizing, three significant digits). */
  private final Recorder measured = new Recorder(3);
  /** Latencies of every acknowledged write, read once a second for the progress line. */
  private final Recorder recent = new Recorder(3);
  private final LongAdder errors = new LongAdder();
  private final LongAdder errorsInWindow = new LongAdder();
  private final AtomicReference<Throwable> firstError = new AtomicReference<>();
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "pontoon-load-retry");
    t.setDaemon(true);
    return t;
  });
  private CountDownLatch stopped;
  private long measureFrom;
  private long end;

  ClosedLoop(WriteTarget target, int concurrency, int warmupSeconds, int durationSeconds, PrintStream progress) {
    this(target, concurrency, warmupSeconds, durationSeconds, progress, Clock.SYSTEM);
  }

  /** With another clock than the system's, for tests. */
  ClosedLoop(WriteTarget target, int concurrency, int warmupSeconds, int durationSeconds, PrintStream progress,
      Clock clock) {
    this.clock = clock;
    this.target = target;
    this.concurrency = concurrency;
    this.warmupNanos = TimeUnit.SECONDS.toNanos(warmupSeconds);
    this.durationNanos = TimeUnit.SECONDS.toNanos(durationSeconds);
    this.progress = progress;
  }

  /** Runs the warm-up and the window, printing progress, and returns what the window measured. */
  LoadResult run() throws InterruptedException {
    long start = clock.nanoTime();
    measureFrom = start + warmupNanos;
    end = measureFrom + durationNanos;
    stopped = new CountDownLatch(concurrency);
    for (int c = 0; c < concurrency; c++) {
      send(c);
    }
    long cpuAtStart = -1;
    long syncsAtStart = -1;
    boolean measuring = false;
    long nextReport = start + SECOND;
    long lastErrors = 0;
    while (true) {
      long now = clock.nanoTime();
      if (!measuring && now >= measureFrom) {
        cpuAtStart = processCpuNanos();
        syncsAtStart = target.logSyncs();
        measuring = true;
      }
      // A loop, not an if: after a late wake-up several lines may be due, and the last one (the
      // window's end) must be printed before the end check below stops the loop. None past the end.
      while (now >= nextReport && nextReport <= end) {
        lastErrors = report(nextReport - start, lastErrors);
        nextReport += SECOND;
      }
      if (now >= end) {
        break;
      }
      clock.sleepUntil(Math.min(nextReport, measuring ? end : measureFrom));
    }
    long cpu = difference(cpuAtStart, processCpuNanos());
    long syncs = difference(syncsAtStart, target.logSyncs());
    drain();
    Throwable first = firstError.get();
    if (first != null) {
      progress.println("first error: " + describe(first));
    }
    return new LoadResult(measured.getIntervalHistogram(), errorsInWindow.sum(), durationNanos / 1e9, syncs, cpu);
  }

  /** One client's next write, chained on the completion of its previous one. */
  private void send(int client) {
    long sent = clock.nanoTime();
    if (sent >= end) {
      stopped.countDown();
      return;
    }
    target.write(client).whenComplete((ok, failure) -> {
      long now = clock.nanoTime();
      if (failure == null) {
        long latency = now - sent;
        recent.recordValue(latency);
        if (sent >= measureFrom && now <= end) {
          measured.recordValue(latency);
        }
        send(client);
        return;
      }
      errors.increment();
      if (now >= measureFrom && now <= end) {
        errorsInWindow.increment();
      }
      firstError.compareAndSet(null, failure instanceof CompletionException ? failure.getCause() : failure);
      retries.schedule(() -> send(client), 10, TimeUnit.MILLISECONDS);
    });
  }

  /** Prints the progress line of the second ending {@code elapsed} after the start; returns the errors so far. */
  private long report(long elapsed, long lastErrors) {
    Histogram second = recent.getIntervalHistogram();
    long seconds = Math.round(elapsed / 1e9);
    String phase = elapsed <= warmupNanos
        ? String.format(Locale.ROOT, "warm-up %d/%d s", seconds, warmupNanos / SECOND)
        : String.format(Locale.ROOT, "measured %d/%d s", seconds - warmupNanos / SECOND, durationNanos / SECOND);
    long errorsNow = errors.sum();
    progress.println(String.format(Locale.ROOT, "%-18s %8d ops/s  p50 %.3f ms  p99 %.3f ms  errors %d", phase,
        second.getTotalCount(), second.getValueAtPercentile(50) / 1e6, second.getValueAtPercentile(99) / 1e6,
        errorsNow - lastErrors));
    return errorsNow;
  }

  /** Waits for the writes still outstanding; their clients stop once they complete. */
  private void drain() throws InterruptedException {
    try {
      if (!stopped.await(DRAIN_SECONDS, TimeUnit.SECONDS)) {
        progress.println(stopped.getCount() + " writes still outstanding " + DRAIN_SECONDS + " s after the window");
      }
    } finally {
      retries.shutdownNow();
    }
  }

  /** The failure and its causes, for one line: {@code ConnectException <- ConnectException: Connection refused}. */
  static String describe(Throwable failure) {
    StringBuilder out = new StringBuilder(failure.toString());
    for (Throwable cause = failure.getCause(); cause != null && out.length() < 500; cause = cause.getCause()) {
      out.append(" <- ").append(cause);
    }
    return out.toString();
  }

  private static long difference(long before, long after) {
    return before < 0 || after < 0 ? -1 : after - before;
  }

  /** CPU time of this whole process (every thread: nodes, clients, JIT, GC), or -1 if the JVM cannot tell. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      long nanos = os.getProcessCpuTime();
      return nanos < 0 ? -1 : nanos;
    }
    return -1;
  }
}
