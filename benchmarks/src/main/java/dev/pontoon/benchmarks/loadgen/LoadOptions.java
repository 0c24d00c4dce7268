package dev.pontoon.benchmarks.loadgen;

import dev.pontoon.benchmarks.loadgen.InProcessCluster.StoreKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashSet;
import java.util.Set;

/**
 * The load tool's command line, parsed and checked. Exactly one of {@code --in-process} and
 * {@code --target} chooses what is loaded; every other flag has a default.
 *
 * <p>Each bad command line is refused with an {@link IllegalArgumentException} whose message
 * names the flag and, where there is one, the bad value: {@code --concurrency (0) must be
 * positive}. The caller prints it with {@link #USAGE} and exits with status 2.
 *
 * @param target the KV cluster's base URI ({@code http://HOST:PORT}), or null for {@code --in-process}
 * @param nodes  members of the in-process cluster (3 or 5); 3 with {@code --target}, where it is unused
 * @param loopOnIoThread whether each in-process node runs its event loop on its transport's one
 *     I/O thread ({@code --loop-on-io-thread}); false with {@code --target}
 * @param logStore where each in-process node keeps its log ({@code --log-store rocksdb|segment});
 *     {@code ROCKSDB} with {@code --target}, where it is unused
 */
record LoadOptions(URI target, int nodes, int concurrency, int valueSize, int warmupSeconds, int durationSeconds,
    boolean loopOnIoThread, StoreKind logStore) {

  /** The largest value accepted: far below the transport's frame limit, so that one entry always fits. */
  static final int MAX_VALUE_SIZE = 1 << 20;
  /** Enough outstanding writes for any cluster this tool is meant for, small enough to catch a typo. */
  static final int MAX_CONCURRENCY = 100_000;

  static final String USAGE = String.join(System.lineSeparator(),
      "usage: pontoon-load (--in-process [--nodes 3|5] [--loop-on-io-thread] [--log-store rocksdb|segment]",
      "                     | --target http://HOST:PORT)",
      "                    [--concurrency C] [--value-size B] [--warmup-s W] [--duration-s S]",
      "  --in-process        3 or 5 nodes in this JVM: Netty over loopback, durable logs in temporary",
      "                      directories, one sync per group-commit batch",
      "  --log-store S       the in-process nodes' log: rocksdb (RocksDbLogStore, the default) or segment",
      "                      (SegmentLogStore, preallocated segment files)",
      "  --nodes N           members of the in-process cluster, 3 or 5 (default 3)",
      "  --loop-on-io-thread each in-process node's event loop on its Netty transport's one I/O thread",
      "                      (ioThreads(1), NodeScheduler.eventLoopOn) instead of a thread of its own",
      "  --target URL        a running KV cluster: PUT /kv/{key} on it, following 307 redirects",
      "  --concurrency C     writes outstanding at any time, closed loop (default 16)",
      "  --value-size B      bytes per written value (default 128)",
      "  --warmup-s W        seconds of load before measuring (default 5)",
      "  --duration-s S      seconds measured (default 15)",
      "Prints progress on stderr once a second, then one line on stdout:",
      "  ops=N ops/s=X p50=Yms p99=Yms p999=Yms max=Yms errors=E syncs/op=Z cpu-us/op=U",
      "Exit status: 0 done, 1 no write acknowledged in the measured window (or no cluster), 2 bad flags.");

  LoadOptions {
    if (nodes != 3 && nodes != 5) {
      throw new IllegalArgumentException("--nodes must be 3 or 5, not '" + nodes + "'");
    }
  }

  /** Whether the cluster runs in this JVM ({@code --in-process}) rather than at {@link #target()}. */
  boolean inProcess() {
    return target == null;
  }

  /**
   * Parses a command line ({@code --help} is the caller's: see {@link #wantsHelp}).
   *
   * @throws IllegalArgumentException naming the first bad flag
   */
  static LoadOptions parse(String[] args) {
    boolean inProcess = false;
    URI target = null;
    Integer nodes = null;
    boolean loopOnIoThread = false;
    StoreKind logStore = null;
    int concurrency = 16;
    int valueSize = 128;
    int warmup = 5;
    int duration = 15;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (!seen.add(flag)) {
        throw new IllegalArgumentException(flag + " is given twice");
      }
      if (flag.equals("--in-process")) {
        inProcess = true;
        continue;
      }
      if (flag.equals("--loop-on-io-thread")) {
        loopOnIoThread = true;
        continue;
      }
      String value = i + 1 < args.length ? args[++i] : null;
      switch (flag) {
        case "--target" -> target = target(value);
        case "--nodes" -> nodes = number(flag, value);
        case "--log-store" -> logStore = logStore(value);
        case "--concurrency" -> concurrency = inRange(flag, value, 1, MAX_CONCURRENCY);
        case "--value-size" -> valueSize = inRange(flag, value, 1, MAX_VALUE_SIZE);
        case "--warmup-s" -> warmup = inRange(flag, value, 0, 3_600);
        case "--duration-s" -> duration = inRange(flag, value, 1, 86_400);
        default -> throw new IllegalArgumentException("unknown option '" + flag + "'");
      }
    }
    if (inProcess && target != null) {
      throw new IllegalArgumentException("--in-process and --target exclude each other");
    }
    if (!inProcess && target == null) {
      throw new IllegalArgumentException("choose what to load: --in-process or --target http://HOST:PORT");
    }
    if (target != null && nodes != null) {
      throw new IllegalArgumentException("--nodes applies only to --in-process");
    }
    if (target != null && loopOnIoThread) {
      throw new IllegalArgumentException("--loop-on-io-thread applies only to --in-process");
    }
    if (target != null && logStore != null) {
      throw new IllegalArgumentException("--log-store applies only to --in-process");
    }
    return new LoadOptions(target, nodes == null ? 3 : nodes, concurrency, valueSize, warmup, duration,
        loopOnIoThread, logStore == null ? StoreKind.ROCKSDB : logStore);
  }

  /** Whether the command line asks for the usage ({@code --help} or {@code -h} anywhere). */
  static boolean wantsHelp(String[] args) {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  private static URI target(String value) {
    String text = require("--target", value);
    String refusal = "--target must be http://HOST:PORT, not '" + text + "'";
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(refusal);
    }
    boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0 || !bare
        || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(refusal);
    }
    return URI.create("http://" + uri.getRawAuthority());
  }

  private static StoreKind logStore(String value) {
    return switch (require("--log-store", value)) {
      case "rocksdb" -> StoreKind.ROCKSDB;
      case "segment" -> StoreKind.SEGMENT;
      default -> throw new IllegalArgumentException("--log-store must be rocksdb or segment, not '" + value + "'");
    };
  }

  private static String require(String flag, String value) {
    if (value == null) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return value;
  }

  private static int number(String flag, String value) {
    try {
      return Integer.parseInt(require(flag, value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " needs a whole number, not '" + value + "'");
    }
  }

  private static int inRange(String flag, String value, int min, int max) {
    int n = number(flag, value);
    if (n < min || n > max) {
      throw new IllegalArgumentException(flag + " (" + n + ") must be in [" + min + ", " + max + "]");
    }
    return n;
  }
}
