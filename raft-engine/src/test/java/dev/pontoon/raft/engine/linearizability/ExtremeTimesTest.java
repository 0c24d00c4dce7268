package dev.pontoon.raft.engine.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.CheckResult.Partition;
import dev.pontoon.raft.engine.linearizability.CheckResult.Verdict;
import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Input;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Times are any {@code long} of one clock, ordered as signed numbers (see {@link Operation}): the
 * checker and the timeline take the whole range without overflow, and the recorder keeps a clock
 * whose raw values wrap around ({@link System#nanoTime()} may) from reordering a history.
 */
class ExtremeTimesTest {
  private static final KvModel MODEL = new KvModel();

  /** put x=1 at the start of the long range, a get that lost it at the end. */
  private static final List<Operation<Input, String>> ACROSS_THE_RANGE = List.of(
      Operation.completed(0, 0, new Put("x", "1"), "OK", Long.MIN_VALUE, Long.MIN_VALUE + 1),
      Operation.completed(1, 1, new Get("x"), "1", -1, 1),
      Operation.completed(2, 2, new Get("x"), null, Long.MAX_VALUE - 2, Long.MAX_VALUE - 1),
      Operation.unknown(3, 3, new Put("y", "2"), Long.MIN_VALUE));

  @Test
  void operationsAtTheEndsOfTheLongRangeAreOrderedByTheirTimes() {
    CheckResult<Input, String> result = LinearizabilityChecker.check(MODEL, ACROSS_THE_RANGE);
    assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
    Partition<Input, String> x = result.failures().get(0);
    assertEquals(ACROSS_THE_RANGE.get(2), x.failedAt(), x.explanation());
    assertEquals(OptionalLong.of(Long.MAX_VALUE - 1), x.failedAtTime());
  }

  /**
   * -1 is a time like any other: a partition that fails at t=-1 reads as a failure at -1, not as
   * a partition that did not fail.
   */
  @Test
  void aFailureAtTimeMinusOneIsTellableFromNoFailure() {
    Operation<Input, String> put = Operation.completed(0, 0, new Put("x", "1"), "OK", -10, -8);
    Operation<Input, String> lostIt = Operation.completed(1, 1, new Get("x"), null, -3, -1);
    Partition<Input, String> failed = LinearizabilityChecker.check(MODEL, List.of(put, lostIt)).failures().get(0);
    Partition<Input, String> passed = LinearizabilityChecker.check(MODEL, List.of(put)).partitions().get(0);
    assertEquals(lostIt, failed.failedAt(), failed.explanation());

    assertNotEquals(passed.failedAtTime(), failed.failedAtTime(),
        "a partition that failed at t=-1 must not read as one that did not fail");
    assertEquals(OptionalLong.of(-1), failed.failedAtTime());
    assertEquals(OptionalLong.empty(), passed.failedAtTime());
  }

  @Test
  void aTimelineOfTimesAtTheEndsOfTheLongRangeDrawsEveryBarInOrderWithinThePage() {
    String html = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> HistoryTimeline.html("extreme", MODEL,
        LinearizabilityChecker.check(MODEL, ACROSS_THE_RANGE)));

    // The whole partition x: put, then the get at 0, then the get at the end, left to right.
    String whole = html.substring(html.indexOf("the whole partition"));
    List<Integer> lefts = new ArrayList<>();
    Matcher bar = Pattern.compile("<div class=\"op [a-z ]+\" style=\"left:(-?\\d+)px;top:\\d+px;width:(-?\\d+)px\"")
        .matcher(whole.substring(0, whole.indexOf("</section>")));
    while (bar.find()) {
      int left = Integer.parseInt(bar.group(1));
      int width = Integer.parseInt(bar.group(2));
      assertTrue(left >= 0 && width > 0 && left + width <= 1180, "a bar within the page: " + bar.group());
      lefts.add(left);
    }
    assertEquals(3, lefts.size(), whole);
    assertTrue(lefts.get(0) < lefts.get(1) && lefts.get(1) < lefts.get(2), "bars in the order of their times: " + lefts);
    // From the first invocation, the failing response is 2^64 - 2 later.
    assertTrue(html.contains("linearization fails here (t=18446744073G)"), html);
  }

  /** A clock passed in must never go back; one that wraps around does, and is refused rather than misordering. */
  @Test
  void aHistoryClockThatGoesBackIsRefusedNamingBothReadings() {
    AtomicLong now = new AtomicLong(Long.MAX_VALUE - 1);
    History<String, String> history = new History<>(now::get);
    history.invoke(0, "write");
    now.set(Long.MIN_VALUE + 1); // wrapped
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> history.invoke(1, "read"));
    assertEquals("the history's clock went back, from 9223372036854775806 to -9223372036854775807: a history's"
        + " clock must never go back (one whose values wrap around, as System.nanoTime()'s may, cannot time a"
        + " history; new History() times nanoTime from its own creation)", e.getMessage());
    assertEquals(1, history.size(), "nothing recorded at the reading that went back");
  }

  /**
   * The default clock is {@link System#nanoTime()}, whose values may wrap around (its origin is
   * arbitrary); the recorder times operations from its own creation, as nanoTime's contract asks,
   * so that a history across the wrap stays in order.
   */
  @Test
  void theDefaultClockKeepsAHistoryInOrderAcrossAWrapOfNanoTime() {
    AtomicLong nanoTime = new AtomicLong(Long.MAX_VALUE - 10);
    History<String, String> history = new History<>(History.elapsedNanos(nanoTime::get));
    nanoTime.addAndGet(5);
    long write = history.invoke(0, "write");
    nanoTime.addAndGet(10); // wraps
    history.complete(write, "OK");
    nanoTime.addAndGet(5);
    long read = history.invoke(1, "read");
    assertEquals(List.of(Operation.completed(0, 0, "write", "OK", 5, 15), Operation.unknown(read, 1, "read", 20)),
        history.operations());
  }
}
