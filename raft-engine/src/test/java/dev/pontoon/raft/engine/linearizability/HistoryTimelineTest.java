package dev.pontoon.raft.engine.linearizability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.linearizability.KvModel.Get;
import dev.pontoon.raft.engine.linearizability.KvModel.Input;
import dev.pontoon.raft.engine.linearizability.KvModel.Put;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timeline is one self-contained page that shows where linearization fails: the operation that
 * cannot be placed, a line at its response, and the order found before it.
 */
class HistoryTimelineTest {
  private static final KvModel MODEL = new KvModel();

  /** put x=1, a read of it, then a read that lost it; an unknown put on y, and a failed one. */
  private static final List<Operation<Input, String>> HISTORY = List.of(
      Operation.completed(0, 0, new Put("x", "1"), "OK", 1000, 1010),
      Operation.completed(1, 1, new Get("x"), "1", 1020, 1030),
      Operation.completed(2, 2, new Get("x"), null, 1040, 1050),
      Operation.unknown(3, 0, new Put("y", "<b>"), 1015),
      Operation.failed(4, 1, new Put("y", "2"), 1035, 1036));

  private static String render() {
    return HistoryTimeline.html("a lost write", MODEL, LinearizabilityChecker.check(MODEL, HISTORY));
  }

  @Test
  void theOperationThatCannotBePlacedIsRedAndALineMarksItsResponse() {
    String html = render();
    assertTrue(html.contains("<p class=\"verdict bad\">not linearizable</p>"), html);
    assertEquals(2, count(html, "<div class=\"op blocked\""), "once around the failure, once in the whole partition");
    Matcher line = Pattern.compile("<div class=\"failline\" style=\"left:(\\d+)px;[^\"]*\"><span>linearization fails"
        + " here \\(t=1050\\)</span>").matcher(html);
    assertTrue(line.find(), html);
    Matcher blocked = Pattern.compile("class=\"op blocked\" style=\"left:(\\d+)px;top:\\d+px;width:(\\d+)px\"")
        .matcher(html);
    assertTrue(blocked.find());
    int right = Integer.parseInt(blocked.group(1)) + Integer.parseInt(blocked.group(2));
    assertTrue(Math.abs(right - Integer.parseInt(line.group(1))) <= 1, "the line is at the response: " + html);
  }

  @Test
  void theOrderFoundBeforeTheFailureIsNumbered() {
    String html = render();
    assertTrue(html.contains("><i>1</i>#0 put x=1</div>") || html.contains("><i>1</i>#0 put x=1<"), html);
    assertTrue(html.contains("<i>2</i>#1 get x -&gt; 1"), html);
  }

  @Test
  void unknownAndFailedOperationsAreDrawnApartAndLinearizablePartitionsFolded() {
    String html = render();
    assertTrue(html.contains("class=\"op unknown\""), html);
    assertTrue(html.contains("class=\"op failed\""), html);
    assertTrue(html.contains("<details class=\"partition\"><summary>partition <b>y</b>: linearizable, 2 operations"),
        html);
  }

  @Test
  void thePageIsSelfContainedAndEscapesWhatItShows() {
    String html = render();
    assertFalse(html.contains("<script"), "no script");
    assertFalse(Pattern.compile("(src|href)\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "loads nothing");
    assertFalse(html.contains("put y=<b>"), "operation text is escaped");
    assertTrue(html.contains("put y=&lt;b&gt;"));
  }

  @Test
  void aLinearizableHistoryIsDrawnToo(@TempDir Path dir) throws IOException {
    List<Operation<Input, String>> ok = HISTORY.subList(0, 2);
    Path file = HistoryTimeline.write(dir.resolve("sub/ok.html"), "fine", MODEL,
        LinearizabilityChecker.check(MODEL, ok));
    String html = Files.readString(file);
    assertTrue(html.contains("<p class=\"verdict good\">linearizable</p>"), html);
    assertFalse(html.contains("class=\"failline\""));
  }

  @Test
  void givenTheirUnitTimesReadInMillisecondsFromTheFirstInvocation() {
    String html = HistoryTimeline.html("timed", MODEL, LinearizabilityChecker.check(MODEL, HISTORY),
        TimeUnit.MILLISECONDS);
    assertTrue(html.contains("linearization fails here (t=50 ms)"), html);
    assertTrue(html.contains("times in ms from the first invocation"), html);
  }

  /** System.nanoTime() may be negative: such times are not small, and read from the first invocation too. */
  @Test
  void negativeTimesReadFromTheFirstInvocation() {
    long t0 = -5_000_000_000L;
    List<Operation<Input, String>> history = List.of(
        Operation.completed(0, 0, new Put("x", "1"), "OK", t0, t0 + 10),
        Operation.completed(1, 1, new Get("x"), "1", t0 + 20, t0 + 30),
        Operation.completed(2, 2, new Get("x"), null, t0 + 40, t0 + 50));
    String html = HistoryTimeline.html("negative", MODEL, LinearizabilityChecker.check(MODEL, history));
    assertTrue(html.contains("linearization fails here (t=50)"), html);
    assertTrue(html.contains("times from the first invocation"), html);
  }

  @Test
  void axisStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertEquals(1, HistoryTimeline.niceStep(0.3));
    assertEquals(5, HistoryTimeline.niceStep(4.2));
    assertEquals(20, HistoryTimeline.niceStep(11));
    assertEquals(1_000_000, HistoryTimeline.niceStep(600_000));
    assertEquals("123k", HistoryTimeline.human(123_456));
    assertEquals("12M", HistoryTimeline.human(12_345_678));
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
