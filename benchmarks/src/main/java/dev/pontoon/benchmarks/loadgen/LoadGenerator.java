package dev.pontoon.benchmarks.loadgen;

import dev.pontoon.benchmarks.loadgen.InProcessCluster.StoreKind;
import dev.pontoon.benchmarks.loadgen.InProcessCluster.TransportKind;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.log.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Drives a cluster in this JVM with {@code C} closed-loop clients for {@code N} seconds (each
 * client submits its next command as soon as the previous one is applied), then prints the
 * throughput and latency percentiles of the measured period. A client whose command fails
 * counts an error, follows the leader hint if there is one, and retries 10 ms later.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.pontoon.benchmarks.loadgen.LoadGenerator \
 *     [--seconds 10] [--warmup 3] [--clients 64] [--nodes 3] [--payload 64] [--transport memory|netty]
 *     [--store memory|rocksdb]
 * </pre>
 */
public final class LoadGenerator {

  private LoadGenerator() {}

  /** Parsed command line. */
  record Options(int seconds, int warmup, int clients, int nodes, int payload, TransportKind transport,
      StoreKind store) {
    static Options parse(String[] args) {
      int seconds = 10;
      int warmup = 3;
      int clients = 64;
      int nodes = 3;
      int payload = 64;
      TransportKind transport = TransportKind.MEMORY;
      StoreKind store = StoreKind.MEMORY;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--seconds" -> seconds = positive(args[i], value);
          case "--warmup" -> warmup = nonNegative(args[i], value);
          case "--clients" -> clients = positive(args[i], value);
          case "--nodes" -> nodes = positive(args[i], value);
          case "--payload" -> payload = nonNegative(args[i], value);
          case "--transport" -> transport = choice(args[i], value, TransportKind.class);
          case "--store" -> store = choice(args[i], value, StoreKind.class);
          default -> throw new IllegalArgumentException("unknown option " + args[i]
              + "; known: --seconds --warmup --clients --nodes --payload --transport --store");
        }
        i++;
      }
      return new Options(seconds, warmup, clients, nodes, payload, transport, store);
    }

    private static <E extends Enum<E>> E choice(String name, String value, Class<E> kinds) {
      String wanted = require(name, value).toUpperCase(Locale.ROOT);
      for (E kind : kinds.getEnumConstants()) {
        if (kind.name().equals(wanted)) {
          return kind;
        }
      }
      throw new IllegalArgumentException(name + " must be one of " + java.util.Arrays.stream(kinds.getEnumConstants())
          .map(k -> k.name().toLowerCase(Locale.ROOT)).toList() + ", not '" + value + "'");
    }

    private static String require(String name, String value) {
      if (value == null) {
        throw new IllegalArgumentException(name + " needs a value");
      }
      return value;
    }

    private static int number(String name, String value) {
      try {
        return Integer.parseInt(require(name, value));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " needs a whole number, not '" + value + "'");
      }
    }

    private static int positive(String name, String value) {
      int n = number(name, value);
      if (n <= 0) {
        throw new IllegalArgumentException(name + " (" + n + ") must be positive");
      }
      return n;
    }

    private static int nonNegative(String name, String value) {
      int n = number(name, value);
      if (n < 0) {
        throw new IllegalArgumentException(name + " (" + n + ") must be >= 0");
      }
      return n;
    }
  }

  static final String USAGE = "usage: LoadGenerator [--seconds S] [--warmup S] [--clients C] [--nodes N]"
      + " [--payload BYTES] [--transport memory|netty] [--store memory|rocksdb]";

  public static void main(String[] args) throws InterruptedException {
    if (java.util.List.of(args).contains("--help")) {
      System.out.println(USAGE);
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      // NumberFormatException and unknown enum names are IllegalArgumentExceptions too.
      System.err.println("error: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    System.out.printf("pontoon load: %d nodes (%s transport, %s logs), %d clients, %d-byte commands, "
        + "%d s warm-up + %d s measured%n", options.nodes(), options.transport().name().toLowerCase(Locale.ROOT),
        options.store().name().toLowerCase(Locale.ROOT), options.clients(), options.payload(), options.warmup(),
        options.seconds());
    try (InProcessCluster cluster = new InProcessCluster(options.nodes(), options.transport(), options.store())) {
      Result result = run(cluster, options);
      System.out.println(result.format());
    }
  }

  /** What one run measured. */
  record Result(long operations, long errors, double seconds, long[] sortedLatencies) {
    String format() {
      return String.format(Locale.ROOT, "ops/s %.0f  (%d ops, %d errors in %.1f s)%n"
          + "latency us  p50 %d  p90 %d  p99 %d  p999 %d  max %d", operations / seconds, operations, errors,
          seconds, micros(0.50), micros(0.90), micros(0.99), micros(0.999),
          sortedLatencies.length == 0 ? 0 : sortedLatencies[sortedLatencies.length - 1] / 1_000);
    }

    private long micros(double q) {
      return LatencyRecorder.percentile(sortedLatencies, q) / 1_000;
    }
  }

  static Result run(InProcessCluster cluster, Options options) throws InterruptedException {
    Run run = new Run(cluster, cluster.awaitLeader(Duration.ofSeconds(30)), Bytes.wrap(new byte[options.payload()]),
        options);
    try {
      for (int c = 0; c < options.clients(); c++) {
        LatencyRecorder recorder = new LatencyRecorder();
        run.recorders.add(recorder);
        run.submitNext(recorder);
      }
      run.done.await();
    } finally {
      run.retries.shutdownNow();
    }
    long[] sorted = LatencyRecorder.mergeSorted(run.recorders);
    return new Result(sorted.length, run.errors.get(), (run.end - run.measureFrom) / 1e9, sorted);
  }

  /** The shared state of one run's closed-loop clients. */
  private static final class Run {
    final InProcessCluster cluster;
    final Bytes command;
    final long measureFrom;
    final long end;
    final AtomicReference<RaftServer> leader;
    final AtomicLong errors = new AtomicLong();
    final CountDownLatch done;
    final List<LatencyRecorder> recorders = new ArrayList<>();
    /** Retries after a failure are delayed, so that a leaderless moment is not a busy loop. */
    final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();

    Run(InProcessCluster cluster, RaftServer leader, Bytes command, Options options) {
      this.cluster = cluster;
      this.leader = new AtomicReference<>(leader);
      this.command = command;
      this.measureFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.warmup());
      this.end = measureFrom + TimeUnit.SECONDS.toNanos(options.seconds());
      this.done = new CountDownLatch(options.clients());
    }

    /** One client's next command, chained on the completion of its previous one. */
    void submitNext(LatencyRecorder recorder) {
      long sent = System.nanoTime();
      if (sent >= end) {
        done.countDown();
        return;
      }
      leader.get().submit(command).whenComplete((result, failure) -> {
        long now = System.nanoTime();
        if (failure == null) {
          if (sent >= measureFrom && now <= end) {
            recorder.record(now - sent);
          }
          submitNext(recorder);
          return;
        }
        errors.incrementAndGet();
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        if (cause instanceof NotLeaderException notLeader) {
          notLeader.leaderHint().flatMap(cluster::server).ifPresent(leader::set);
        }
        retries.schedule(() -> submitNext(recorder), 10, TimeUnit.MILLISECONDS);
      });
    }
  }
}
