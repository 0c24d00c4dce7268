package dev.pontoon.benchmarks.loadgen;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The load tool, {@code benchmarks/bin/pontoon-load}: drives a cluster with {@code C}
 * closed-loop clients ({@link ClosedLoop}) for a warm-up and a measured window, prints progress
 * on stderr once a second, and ends with exactly one line on stdout ({@link LoadResult}):
 *
 * <pre>
 * pontoon-load --in-process [--nodes 3|5] [--concurrency 16] [--value-size 128] [--warmup-s 5] [--duration-s 15]
 * pontoon-load --target http://HOST:PORT [--concurrency 16] [--value-size 128] [--warmup-s 5] [--duration-s 15]
 *
 * ops=N ops/s=X p50=Yms p99=Yms p999=Yms max=Yms errors=E syncs/op=Z cpu-us/op=U
 * </pre>
 *
 * <p>{@code --in-process} runs the cluster in this JVM ({@link InProcessTarget}: Netty over
 * loopback, RocksDB logs in temporary directories, one sync per group-commit batch), so
 * {@code syncs/op} counts the syncs of all its nodes and {@code cpu-us/op} the CPU of the nodes
 * and the clients together. {@code --target} loads a running KV cluster over HTTP
 * ({@link HttpKvTarget}); {@code syncs/op} is then {@code -} and {@code cpu-us/op} is this client
 * process's CPU only.
 *
 * <p>Exit status: 0 when the run finished and acknowledged at least one write in the window
 * (errors are reported in the line, not in the status); 1 when it acknowledged none, or when the
 * in-process cluster did not start (then no line is printed); 2 on a bad command line, with the
 * error naming the flag and the usage on stderr. {@code --help} prints the usage on stdout and
 * exits 0.
 */
public final class LoadGenerator {

  private LoadGenerator() {}

  public static void main(String[] args) throws InterruptedException {
    // The nodes' INFO lines would bury the progress lines; -Dorg.slf4j.simpleLogger.defaultLogLevel=info shows them.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    // Libraries may print to System.out: keep stdout for the result line only.
    PrintStream stdout = System.out;
    System.setOut(System.err);
    int status = run(args, stdout, System.err);
    stdout.flush();
    System.exit(status);
  }

  /**
   * Runs the tool: parses {@code args}, loads the target, prints the result line on {@code out}
   * and everything else on {@code err}.
   *
   * @return the process's exit status
   */
  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    if (LoadOptions.wantsHelp(args)) {
      out.println(LoadOptions.USAGE);
      return 0;
    }
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("pontoon-load: error: " + e.getMessage());
      err.println(LoadOptions.USAGE);
      return 2;
    }
    WriteTarget target;
    try {
      target = options.inProcess() ? InProcessTarget.start(options.nodes(), options.valueSize(), options.loopOnIoThread(),
          options.logStore())
          : new HttpKvTarget(options.target(), options.valueSize());
    } catch (RuntimeException e) {
      err.println("pontoon-load: the cluster did not start: " + e);
      return 1;
    }
    try (target) {
      err.println(String.format(Locale.ROOT, "pontoon-load: %s; %d outstanding %d-byte writes, %d s warm-up + %d s"
          + " measured", target.describe(), options.concurrency(), options.valueSize(), options.warmupSeconds(),
          options.durationSeconds()));
      LoadResult result = new ClosedLoop(target, options.concurrency(), options.warmupSeconds(),
          options.durationSeconds(), err).run();
      out.println(result.format());
      out.flush();
      if (result.ops() == 0) {
        err.println("pontoon-load: no write was acknowledged in the measured window");
        return 1;
      }
      return 0;
    }
  }
}
