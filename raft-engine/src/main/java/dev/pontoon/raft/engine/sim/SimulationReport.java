package dev.pontoon.raft.engine.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongFunction;

/**
 * What a range of seeds found: totals, and the full result of every failing seed. Immutable.
 *
 * @see StateMachineSimulation#run()
 */
public final class SimulationReport {
  /** Failing seeds {@link #describe()} prints in full; the others are listed by seed. */
  private static final int DESCRIBED = 3;

  private final long seeds;
  private final long events;
  private final long violations;
  private final List<SimulationResult> failures;
  private final List<Path> timelines;

  SimulationReport(long seeds, long events, long violations, List<SimulationResult> failures) {
    this(seeds, events, violations, failures, List.of());
  }

  private SimulationReport(long seeds, long events, long violations, List<SimulationResult> failures,
      List<Path> timelines) {
    this.seeds = seeds;
    this.events = events;
    this.violations = violations;
    this.failures = List.copyOf(failures);
    this.timelines = List.copyOf(timelines);
  }

  /**
   * Writes the {@link SimulationResult#timelineHtml() timeline} of every failing seed whose
   * history was checked to {@code directory}, as {@code seed-S.html}, and returns a report that
   * names them.
   */
  SimulationReport writeTimelines(Path directory) throws IOException {
    List<Path> written = new ArrayList<>();
    for (SimulationResult r : failures) {
      String html = r.timelineHtml();
      if (html != null) {
        Files.createDirectories(directory);
        written.add(Files.writeString(directory.resolve("seed-" + r.seed() + ".html"), html, StandardCharsets.UTF_8));
      }
    }
    return new SimulationReport(seeds, events, violations, failures, written);
  }

  /**
   * Runs seeds {@code first .. first + count - 1} with {@code runSeed} on {@code threads}
   * threads; each seed runs whole on one thread. Results come back in seed order.
   *
   * @param onResult sees every result, in seed order, as the report is assembled
   * @throws ExecutionException if a seed's run threw (a bug in the simulator or in what it runs)
   */
  static SimulationReport run(long first, long count, int threads, LongFunction<SimulationResult> runSeed,
      java.util.function.Consumer<SimulationResult> onResult) throws InterruptedException, ExecutionException {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<SimulationResult>> results = new ArrayList<>();
      for (long i = 0; i < count; i++) {
        long seed = first + i;
        results.add(pool.submit(() -> runSeed.apply(seed)));
      }
      long events = 0;
      long violations = 0;
      List<SimulationResult> failures = new ArrayList<>();
      for (Future<SimulationResult> f : results) {
        SimulationResult r = f.get();
        onResult.accept(r);
        events += r.events();
        violations += r.violations().size();
        if (!r.ok()) {
          failures.add(r);
        }
      }
      return new SimulationReport(count, events, violations, failures);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Seeds run. */
  public long seeds() {
    return seeds;
  }

  /** Events processed over every seed. */
  public long events() {
    return events;
  }

  /** Violations found over every seed. */
  public long violations() {
    return violations;
  }

  /** The seeds that broke something, in seed order. */
  public List<SimulationResult> failures() {
    return failures;
  }

  /** The timelines written for failing seeds (see {@link StateMachineSimulation.Builder#timelines}). */
  public List<Path> timelines() {
    return timelines;
  }

  /** Whether no seed broke anything. */
  public boolean ok() {
    return failures.isEmpty();
  }

  /** {@code seeds=N events=E violations=V}. */
  public String summary() {
    return "seeds=" + seeds + " events=" + events + " violations=" + violations;
  }

  /**
   * The first failing seeds in full (violations, last events, replay line), the others by seed,
   * the timelines written, then {@link #summary()}.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    if (!failures.isEmpty()) {
      sb.append(failures.size()).append(" of ").append(seeds).append(" seeds broke a property\n");
    }
    for (SimulationResult r : failures.subList(0, Math.min(DESCRIBED, failures.size()))) {
      sb.append(r.describe());
    }
    if (failures.size() > DESCRIBED) {
      sb.append("also failing: seeds");
      failures.subList(DESCRIBED, failures.size()).forEach(r -> sb.append(' ').append(r.seed()));
      sb.append('\n');
    }
    for (Path p : timelines) {
      sb.append("timeline of the checked history: ").append(p.toAbsolutePath().toUri()).append('\n');
    }
    return sb.append(summary()).toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
