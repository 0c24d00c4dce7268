package dev.pontoon.benchmarks.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The closed loop's progress lines on a fake clock: every second of the run gets its line, even
 * when the loop's thread wakes up late (a loaded machine), and none is printed past the window's
 * end. The clock and the single client's writes are driven on the test's own thread, so the run
 * is deterministic and takes no real time.
 */
class ClosedLoopTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  /** A clock whose sleeps wake at {@code wake.applyAsLong(deadline)} and then complete the pending write. */
  private static final class FakeClock implements ClosedLoop.Clock {
    private final LongUnaryOperator wake;
    private final FakeTarget target;
    private long now;

    FakeClock(LongUnaryOperator wake, FakeTarget target) {
      this.wake = wake;
      this.target = target;
    }

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepUntil(long deadline) {
      now = Math.max(now, wake.applyAsLong(deadline));
      target.acknowledge();
    }
  }

  /** One client's writes, each acknowledged when the clock next wakes up. */
  private static final class FakeTarget implements WriteTarget {
    private CompletableFuture<Void> pending;

    @Override
    public CompletableFuture<?> write(int client) {
      pending = new CompletableFuture<>();
      return pending;
    }

    void acknowledge() {
      CompletableFuture<Void> write = pending;
      pending = null;
      if (write != null) {
        write.complete(null); // the client's next write (if any) is sent from here, on this thread
      }
    }

    @Override
    public long logSyncs() {
      return -1;
    }

    @Override
    public String describe() {
      return "a fake target";
    }

    @Override
    public void close() {
    }
  }

  /** Runs 1 s of warm-up and 2 s measured on a clock that wakes as {@code wake} says; returns the progress phases. */
  private static List<String> phases(LongUnaryOperator wake) throws InterruptedException {
    FakeTarget target = new FakeTarget();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream progress = new PrintStream(out, true, StandardCharsets.UTF_8);
    new ClosedLoop(target, 1, 1, 2, progress, new FakeClock(wake, target)).run();
    List<String> phases = new ArrayList<>();
    for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        phases.add(line.substring(0, 18).strip()); // the phase is the line's first, padded, column
      }
    }
    return phases;
  }

  @Test
  void aLoopThatWakesOnTimePrintsOneLinePerSecond() throws Exception {
    assertEquals(List.of("warm-up 1/1 s", "measured 1/2 s", "measured 2/2 s"), phases(deadline -> deadline));
  }

  @Test
  void aLoopThatOversleepsPastTheEndStillPrintsTheLastSecondsLine() throws Exception {
    // The sleep until the 2 s line wakes 1.5 s late, after the window's end (3 s): both the 2 s
    // and the 3 s lines are due then, and the 3 s one must not be lost to the end check.
    List<String> phases = phases(deadline -> deadline == 2 * SECOND ? deadline + 3 * SECOND / 2 : deadline);

    assertEquals(List.of("warm-up 1/1 s", "measured 1/2 s", "measured 2/2 s"), phases);
  }

  @Test
  void aLoopThatOversleepsSeveralSecondsPrintsNoLinePastTheEnd() throws Exception {
    // The first sleep wakes 10 s after the start: every line of the run is due at once, and the
    // seconds after the window's end are not part of the run.
    List<String> phases = phases(deadline -> deadline == SECOND ? 10 * SECOND : deadline);

    assertEquals(List.of("warm-up 1/1 s", "measured 1/2 s", "measured 2/2 s"), phases);
  }
}
