package dev.pontoon.raft.engine.linearizability;

import dev.pontoon.raft.engine.linearizability.CheckResult.Linearized;
import dev.pontoon.raft.engine.linearizability.CheckResult.Partition;
import dev.pontoon.raft.engine.linearizability.CheckResult.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Draws a checked history as one self-contained HTML page, in the manner of Porcupine's
 * visualization: per partition, one lane per client, each operation a bar from its invocation to
 * its response (hover for its details). For a partition that is not linearizable the page leads
 * with a view around the failure: the point where linearization fails is a red line at the
 * response of the operation that cannot be placed, that operation is red, and the operations of
 * the order the checker found before it carry their position in it. Operations of unknown outcome
 * run to the end of the view, hatched; failed ones are grey.
 *
 * <p>The page loads nothing from anywhere: styles are inline, there is no script, so it can be
 * attached to a CI run or opened from disk. Times are in the history's own unit: as they are when
 * they are small and not negative (a simulation's virtual time, matching the checker's
 * explanations), else from the first invocation ({@link System#nanoTime()} may be negative);
 * given the unit (nanoseconds for {@link History}'s default clock), in milliseconds from the
 * first invocation. Any {@code long} times are drawn, the whole range at once included: spans and
 * positions are computed without overflow.
 *
 * <p>Stateless; safe from any thread.
 *
 * <pre>{@code
 * CheckResult<KvModel.Input, String> result = LinearizabilityChecker.check(model, history.operations());
 * HistoryTimeline.write(Path.of("target/kv-history.html"), "KV over HTTP", model, result);
 * }</pre>
 *
 * @see LinearizabilityChecker
 */
public final class HistoryTimeline {
  private static final int LANE = 28;
  private static final int BAR = 20;
  private static final int AXIS = 26;
  private static final int LEFT = 44;
  /** Room after the view's last instant, for the labels of the last operations. */
  private static final int RIGHT = 190;
  /** Linearized operations before the failure whose bars the view around it includes. */
  private static final int ORDER_SHOWN = 8;
  /** Histories whose times all lie in [0, this) are drawn in their own times, others from their first invocation. */
  private static final long SMALL_TIMES = 10_000_000;

  private HistoryTimeline() {}

  /**
   * Writes the page for {@code result} to {@code file}, creating its parent directories.
   *
   * @return {@code file}
   * @throws IOException if the file cannot be written
   */
  public static <S, I, O> Path write(Path file, String title, Model<S, I, O> model, CheckResult<I, O> result)
      throws IOException {
    return write(file, title, model, result, null);
  }

  /**
   * As {@link #write(Path, String, Model, CheckResult)}, for a history timed in {@code unit}
   * ({@link TimeUnit#NANOSECONDS} for {@link History}'s default clock): times then read in
   * milliseconds from the first invocation.
   */
  public static <S, I, O> Path write(Path file, String title, Model<S, I, O> model, CheckResult<I, O> result,
      TimeUnit unit) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, html(title, model, result, unit), StandardCharsets.UTF_8);
    return file;
  }

  /**
   * The page for {@code result}: the verdict, then each partition not proven linearizable with its
   * explanation and timelines, then the linearizable ones, folded.
   *
   * @param title the page's heading
   * @param model the model the history was checked with, for the operations' descriptions
   * @param result what the checker found, with every partition's operations
   */
  public static <S, I, O> String html(String title, Model<S, I, O> model, CheckResult<I, O> result) {
    return html(title, model, result, null);
  }

  /**
   * As {@link #html(String, Model, CheckResult)}, for a history timed in {@code unit}: times read in
   * milliseconds from the first invocation. A null {@code unit} means times of no known unit.
   */
  public static <S, I, O> String html(String title, Model<S, I, O> model, CheckResult<I, O> result, TimeUnit unit) {
    long first = Long.MAX_VALUE;
    long last = 0;
    for (Partition<I, O> p : result.partitions()) {
      for (Operation<I, O> o : p.operations()) {
        first = Math.min(first, o.invokedAt());
        last = Math.max(last, o.isUnknown() ? o.invokedAt() : o.completedAt());
      }
    }
    // Small non-negative times (a simulation's) are shown as they are, like the checker's
    // explanations; others (System.nanoTime, which may be negative) from the first invocation.
    long origin = first == Long.MAX_VALUE || (unit == null && first >= 0 && last < SMALL_TIMES) ? 0 : first;
    Page<S, I, O> page = new Page<>(model, origin, unit);
    StringBuilder sb = new StringBuilder(4096);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(title))
        .append("</title>\n<style>").append(STYLE).append("</style></head>\n<body>\n<h1>").append(escape(title))
        .append("</h1>\n");
    int failing = result.failures().size();
    String verdict = result.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    sb.append("<p class=\"verdict ").append(result.verdict() == Verdict.LINEARIZABLE ? "good" : "bad").append("\">")
        .append(verdict).append("</p>\n<p class=\"summary\">").append(result.partitions().size())
        .append(result.partitions().size() == 1 ? " partition, " : " partitions, ")
        .append(result.partitions().stream().mapToInt(p -> p.operations().size()).sum()).append(" operations")
        .append(failing == 0 ? "" : "; " + failing + " not proven linearizable")
        .append(unit != null ? "; times in ms from the first invocation"
            : origin == 0 ? "" : "; times from the first invocation").append("</p>\n");
    sb.append(LEGEND);
    List<Partition<I, O>> failures = new ArrayList<>(result.failures());
    // The simplest failure first: the shortest failing prefix.
    failures.sort(java.util.Comparator.comparingInt(p -> p.failedAt() == null ? Integer.MAX_VALUE
        : p.shortestFailingPrefix().size()));
    for (Partition<I, O> p : failures) {
      page.failing(sb, p);
    }
    for (Partition<I, O> p : result.partitions()) {
      if (p.verdict() == Verdict.LINEARIZABLE) {
        sb.append("<details class=\"partition\"><summary>partition <b>").append(escape(String.valueOf(p.key())))
            .append("</b>: linearizable, ").append(p.operations().size()).append(" operations</summary>\n");
        page.timeline(sb, p, window(p.operations(), null), null);
        sb.append("</details>\n");
      }
    }
    return sb.append("</body></html>\n").toString();
  }

  /** The time window [from, to] and the operations drawn in it. */
  private record View<I, O>(long from, long to, List<Operation<I, O>> operations) {}

  /** Every operation of {@code ops}, over their whole span; {@code end} caps it when not null. */
  private static <I, O> View<I, O> window(List<Operation<I, O>> ops, Long end) {
    long from = Long.MAX_VALUE;
    long to = Long.MIN_VALUE;
    for (Operation<I, O> o : ops) {
      from = Math.min(from, o.invokedAt());
      to = Math.max(to, o.status() == Operation.Status.UNKNOWN ? o.invokedAt() : o.completedAt());
    }
    if (ops.isEmpty()) {
      from = 0;
      to = 1;
    }
    if (end != null) {
      to = Math.min(to, end);
    }
    return new View<>(from, Math.max(to, plus(from, 1)), ops);
  }

  /** The parts of a page that need the model and the time origin. */
  private static final class Page<S, I, O> {
    private final Model<S, I, O> model;
    private final long origin;
    /** The history's time unit, or null when unknown. */
    private final TimeUnit unit;

    Page(Model<S, I, O> model, long origin, TimeUnit unit) {
      this.model = model;
      this.origin = origin;
      this.unit = unit;
    }

    void failing(StringBuilder sb, Partition<I, O> p) {
      sb.append("<section class=\"partition failed\"><h2>partition <b>").append(escape(String.valueOf(p.key())))
          .append("</b>: ").append(p.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append("</h2>\n");
      if (p.failedAt() != null) {
        Operation<I, O> f = p.failedAt();
        sb.append("<p>The shortest failing prefix holds ").append(p.shortestFailingPrefix().size()).append(" of ")
            .append(p.operations().size()).append(" operations and ends at the response of <b>#").append(f.id())
            .append(' ').append(escape(describe(f))).append("</b> at t=").append(relative(f.completedAt()))
            .append(": no order of what came before lets it take effect there.</p>\n<h3>Around the failure</h3>\n");
        timeline(sb, p, aroundFailure(p), p);
      }
      sb.append("<h3>Explanation</h3>\n<pre>").append(escape(p.explanation())).append("</pre>\n");
      sb.append("<details><summary>the whole partition, ").append(p.operations().size())
          .append(" operations</summary>\n");
      timeline(sb, p, window(p.operations(), null), p);
      sb.append("</details></section>\n");
    }

    /** From the earliest of the failing operation and the last operations ordered before it, to a little after it. */
    private View<I, O> aroundFailure(Partition<I, O> p) {
      Operation<I, O> f = p.failedAt();
      long from = f.invokedAt();
      List<Linearized<I, O>> order = p.linearized();
      for (Linearized<I, O> l : order.subList(Math.max(0, order.size() - ORDER_SHOWN), order.size())) {
        from = Math.min(from, l.operation().invokedAt());
      }
      long to = plus(f.completedAt(), Math.max(1, Long.divideUnsigned(span(from, f.completedAt()), 8)));
      List<Operation<I, O>> shown = new ArrayList<>();
      for (Operation<I, O> o : p.operations()) {
        long end = o.status() == Operation.Status.UNKNOWN ? Long.MAX_VALUE : o.completedAt();
        if (o.invokedAt() <= to && end >= from) {
          shown.add(o);
        }
      }
      return new View<>(from, to, shown);
    }

    /** One timeline: a lane per client, a bar per operation, the failure line when {@code failed} has one. */
    void timeline(StringBuilder sb, Partition<I, O> p, View<I, O> view, Partition<I, O> failed) {
      TreeSet<Integer> clients = new TreeSet<>();
      view.operations().forEach(o -> clients.add(o.client()));
      Map<Integer, Integer> lane = new HashMap<>();
      for (int c : clients) {
        lane.put(c, lane.size());
      }
      int width = (int) Math.max(1180, Math.min(30_000, view.operations().size() * 16L));
      double scale = (width - LEFT - RIGHT) / Math.max(1, unsigned(span(view.from(), view.to())));
      int height = AXIS + LANE * clients.size() + 8;
      Map<Long, Integer> position = new HashMap<>();
      long cut = Long.MAX_VALUE; // Operation.NEVER, never a response: no failure line
      if (failed != null && failed.failedAt() != null) {
        List<Linearized<I, O>> order = failed.linearized();
        for (int i = 0; i < order.size(); i++) {
          position.put(order.get(i).operation().id(), i + 1);
        }
        cut = failed.failedAtTime().getAsLong();
      }
      sb.append("<div class=\"scroll\"><div class=\"timeline\" style=\"width:").append(width).append("px;height:")
          .append(height).append("px\">\n");
      axis(sb, view, scale, width);
      for (int c : clients) {
        sb.append("<div class=\"lane\" style=\"top:").append(AXIS + LANE * lane.get(c)).append("px\"><span>c")
            .append(c).append("</span></div>\n");
      }
      // Where the next bar of the same lane starts: a narrow bar's label may run on until there.
      Map<Long, Integer> room = new HashMap<>();
      Map<Integer, List<Operation<I, O>>> byLane = new HashMap<>();
      view.operations().forEach(o -> byLane.computeIfAbsent(o.client(), c -> new ArrayList<>()).add(o));
      for (List<Operation<I, O>> ops : byLane.values()) {
        ops.sort(java.util.Comparator.comparingLong(Operation::invokedAt));
        for (int i = 0; i < ops.size(); i++) {
          int next = i + 1 < ops.size() ? x(Math.max(ops.get(i + 1).invokedAt(), view.from()), view, scale) : width;
          room.put(ops.get(i).id(), next - x(Math.max(ops.get(i).invokedAt(), view.from()), view, scale) - 3);
        }
      }
      for (Operation<I, O> o : view.operations()) {
        bar(sb, o, view, scale, AXIS + LANE * lane.get(o.client()) + (LANE - BAR) / 2, failed, position, cut,
            room.get(o.id()));
      }
      if (cut != Long.MAX_VALUE && cut >= view.from() && cut <= view.to()) {
        sb.append("<div class=\"failline\" style=\"left:").append(x(cut, view, scale)).append("px;height:")
            .append(height).append("px\"><span>linearization fails here (t=").append(relative(cut))
            .append(")</span></div>\n");
      }
      sb.append("</div></div>\n");
    }

    private void bar(StringBuilder sb, Operation<I, O> o, View<I, O> view, double scale, int top,
        Partition<I, O> failed, Map<Long, Integer> position, long cut, int room) {
      long start = Math.max(o.invokedAt(), view.from());
      long end = o.status() == Operation.Status.UNKNOWN ? view.to() : Math.min(o.completedAt(), view.to());
      int left = x(start, view, scale);
      int w = Math.max(4, x(end, view, scale) - left);
      String kind = switch (o.status()) {
        case COMPLETED -> "ok";
        case UNKNOWN -> "unknown";
        case FAILED -> "failed";
      };
      if (failed != null && failed.failedAt() != null && o.id() == failed.failedAt().id()) {
        kind = "blocked";
      } else if (o.invokedAt() > cut) {
        kind += " after";
      }
      Integer at = position.get(o.id());
      String text = "#" + o.id() + " " + describe(o);
      String tip = text + "\nclient c" + o.client() + ", invoked t=" + relative(o.invokedAt()) + ", "
          + switch (o.status()) {
            case COMPLETED -> "answered t=" + relative(o.completedAt());
            case FAILED -> "failed (did not take effect) t=" + relative(o.completedAt());
            case UNKNOWN -> "outcome unknown";
          } + (at == null ? "" : "\nposition " + at + " in the order found before the failure");
      sb.append("<div class=\"op ").append(kind).append("\" style=\"left:").append(left).append("px;top:")
          .append(top).append("px;width:").append(w).append("px\" title=\"").append(escape(tip)).append("\">");
      boolean narrow = w < 70 && room > w + 20;
      if (!narrow) {
        label(sb, at, text);
      }
      sb.append("</div>\n");
      if (narrow) {
        // Too narrow for its label (an instant operation, say): the label runs on beside it, up to the next bar.
        sb.append("<div class=\"label ").append(kind).append("\" style=\"left:").append(left + w + 4)
            .append("px;top:").append(top).append("px;max-width:").append(Math.min(room - w, 320))
            .append("px\">");
        label(sb, at, text);
        sb.append("</div>\n");
      }
    }

    private void label(StringBuilder sb, Integer at, String text) {
      if (at != null) {
        sb.append("<i>").append(at).append("</i>");
      }
      sb.append(escape(text));
    }

    /** Ticks at the multiples of a round step from the origin; distances from the view's start are unsigned. */
    private void axis(StringBuilder sb, View<I, O> view, double scale, int width) {
      long span = span(view.from(), view.to());
      long step = niceStep(unsigned(span) / 10.0);
      long late = Long.remainderUnsigned(span(origin, view.from()), step);
      for (long along = late == 0 ? 0 : step - late; Long.compareUnsigned(along, span) <= 0; along += step) {
        long t = view.from() + along;
        int left = x(t, view, scale);
        if (left > width - RIGHT + 30) {
          break;
        }
        sb.append("<div class=\"tick\" style=\"left:").append(left).append("px\"><span>").append(relative(t))
            .append("</span></div>\n");
        if (Long.compareUnsigned(step, -1L - along) > 0) {
          break; // the next tick lies beyond any long
        }
      }
    }

    private String describe(Operation<I, O> o) {
      return switch (o.status()) {
        case COMPLETED -> model.describeOperation(o.input(), o.output());
        case UNKNOWN -> o.input() + " (outcome unknown)";
        case FAILED -> o.input() + " (failed)";
      };
    }

    /** {@code t} from the origin, which no time of the page precedes. */
    private String relative(long t) {
      if (unit != null) {
        double ms = unsigned(span(origin, t)) * (unit.toNanos(1) / 1e6);
        return ms >= 100 || ms == Math.rint(ms) ? String.format(Locale.ROOT, "%.0f ms", ms)
            : String.format(Locale.ROOT, "%.2f ms", ms);
      }
      return human(span(origin, t));
    }
  }

  /* Implementation notes: times may be any long, so the distance between two of them may exceed
   * Long.MAX_VALUE (up to 2^64 - 1 from Long.MIN_VALUE to Long.MAX_VALUE). For from <= to, the
   * wrapped difference to - from is that distance exactly when read as unsigned; distances are
   * kept so, and turned into doubles only for pixels. */

  /** The distance from {@code from} to {@code to >= from}, as an unsigned long. */
  private static long span(long from, long to) {
    return to - from;
  }

  /** An unsigned long's value as a double. */
  private static double unsigned(long u) {
    return u >= 0 ? u : ((u >>> 1) | (u & 1)) * 2.0;
  }

  /** {@code t} plus the unsigned distance {@code d}, or {@link Long#MAX_VALUE} when that lies beyond it. */
  private static long plus(long t, long d) {
    return Long.compareUnsigned(d, Long.MAX_VALUE - t) > 0 ? Long.MAX_VALUE : t + d;
  }

  private static int x(long t, View<?, ?> view, double scale) {
    return LEFT + (int) Math.round(unsigned(span(view.from(), t)) * scale);
  }

  /** 1, 2 or 5 times a power of ten, at least {@code raw}; {@link Long#MAX_VALUE} when none fits a long. */
  static long niceStep(double raw) {
    long p = 1;
    while (p <= Long.MAX_VALUE / 10 && p * 10 <= raw) {
      p *= 10;
    }
    for (long m : new long[] {1, 2, 5, 10}) {
      if (p > Long.MAX_VALUE / m) {
        break;
      }
      if (p * m >= raw) {
        return Math.max(1, p * m);
      }
    }
    return Long.MAX_VALUE;
  }

  /** An amount of time in its unit, as an unsigned long (up to 2^64 - 1), shortened with k, M and G. */
  static String human(long t) {
    if (Long.compareUnsigned(t, 10_000_000_000L) >= 0) {
      return Long.toUnsignedString(Long.divideUnsigned(t, 1_000_000_000L)) + "G";
    } else if (t >= 10_000_000L) {
      return (t / 1_000_000L) + "M";
    } else if (t >= 100_000L) {
      return (t / 1_000L) + "k";
    }
    return Long.toString(t);
  }

  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static final String LEGEND = "<p class=\"legend\"><span class=\"op ok\">completed</span>"
      + "<span class=\"op unknown\">outcome unknown</span><span class=\"op failed\">failed</span>"
      + "<span class=\"op blocked\">cannot be placed</span><span class=\"op ok\"><i>3</i>third in the order"
      + " found before the failure</span><span class=\"op ok after\">invoked after the failure point</span>"
      + "<span class=\"hint\">hover a bar for its details</span></p>\n";

  private static final String STYLE = """
      body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330;background:#fff}
      h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:18px 0 6px}h3{font-size:14px;margin:14px 0 6px}
      .verdict{display:inline-block;font-weight:600;padding:3px 10px;border-radius:4px;margin:0 10px 0 0}
      .verdict.good{background:#e3f4e6;color:#1c6b32}.verdict.bad{background:#fde6e6;color:#a11b1b}
      .summary{display:inline-block;color:#555}
      .legend{margin:10px 0 14px}.legend .op{position:static;display:inline-block;margin-right:8px;padding:0 8px;
        width:auto}
      .hint{color:#778;font-size:12px}
      .partition{margin:14px 0;border-top:1px solid #ddd;padding-top:6px}
      details>summary{cursor:pointer;margin:6px 0}
      pre{background:#f6f7f9;border:1px solid #e2e4e8;padding:8px;overflow-x:auto;font-size:12px}
      .scroll{overflow-x:auto;border:1px solid #e2e4e8;background:#fbfcfd}
      .timeline{position:relative}
      .lane{position:absolute;left:0;right:0;height:28px;border-top:1px solid #eef0f3}
      .lane span{position:absolute;left:8px;top:6px;color:#667;font-size:12px}
      .tick{position:absolute;top:0;bottom:0;border-left:1px dashed #e1e4ea}
      .tick span{position:absolute;top:4px;left:3px;font-size:11px;color:#889}
      .op{position:absolute;height:20px;line-height:20px;font-size:11px;padding:0 4px;box-sizing:border-box;
        white-space:nowrap;overflow:hidden;text-overflow:ellipsis;border-radius:3px;border:1px solid #5b84c4;
        background:#dfe9f8;color:#1d2a40}
      .op.unknown{border-style:dashed;background:repeating-linear-gradient(135deg,#eef1f5 0 6px,#fff 6px 12px);
        border-color:#8a94a6;color:#445}
      .op.failed{background:#eceef1;border-color:#b5bac3;color:#778}
      .op.after{opacity:.4}
      .op.blocked{background:#fbd5d5;border:2px solid #c62828;color:#7a0c0c;font-weight:600;z-index:2}
      .label{position:absolute;height:20px;line-height:20px;font-size:11px;white-space:nowrap;overflow:hidden;
        text-overflow:ellipsis;color:#1d2a40;pointer-events:none}
      .label.blocked{color:#a11b1b;font-weight:600}.label.after{opacity:.4}
      .op i,.label i{font-style:normal;display:inline-block;min-width:14px;height:14px;line-height:14px;
        margin:0 4px 0 -1px;border-radius:7px;background:#2f5fa8;color:#fff;text-align:center;font-size:10px}
      .failline{position:absolute;top:0;border-left:2px solid #c62828;z-index:3}
      .failline span{position:absolute;top:2px;left:4px;white-space:nowrap;font-size:11px;color:#c62828;
        background:#fff;padding:0 3px}
      """;
}
