package dev.pontoon.benchmarks.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.benchmarks.loadgen.InProcessCluster.StoreKind;
import java.net.URI;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The load tool's flags: defaults, accepted forms, and one named error per kind of bad flag. */
class LoadOptionsTest {

  @Test
  void inProcessDefaultsAreThreeNodesSixteenWritesOf128BytesFiveSecondsThenFifteen() {
    LoadOptions options = LoadOptions.parse(new String[] {"--in-process"});
    assertEquals(new LoadOptions(null, 3, 16, 128, 5, 15, false, StoreKind.ROCKSDB), options);
    assertTrue(options.inProcess());
  }

  @Test
  void everyFlagIsTakenByName() {
    LoadOptions options = LoadOptions.parse(new String[] {"--nodes", "5", "--concurrency", "128", "--in-process",
        "--value-size", "1024", "--warmup-s", "0", "--duration-s", "2", "--loop-on-io-thread", "--log-store", "segment"});
    assertEquals(new LoadOptions(null, 5, 128, 1024, 0, 2, true, StoreKind.SEGMENT), options);
  }

  @Test
  void targetIsKeptAsItsOrigin() {
    LoadOptions options = LoadOptions.parse(new String[] {"--target", "http://127.0.0.1:8081/"});
    assertEquals(URI.create("http://127.0.0.1:8081"), options.target());
    assertFalse(options.inProcess());
    assertNull(LoadOptions.parse(new String[] {"--in-process"}).target());
  }

  @Test
  void helpIsFoundAnywhere() {
    assertTrue(LoadOptions.wantsHelp(new String[] {"--concurrency", "x", "--help"}));
    assertTrue(LoadOptions.wantsHelp(new String[] {"-h"}));
    assertFalse(LoadOptions.wantsHelp(new String[] {"--in-process"}));
  }

  static Stream<Arguments> badCommandLines() {
    return Stream.of(
        Arguments.of("", "choose what to load: --in-process or --target http://HOST:PORT"),
        Arguments.of("--concurrency 4", "choose what to load: --in-process or --target http://HOST:PORT"),
        Arguments.of("--in-process --target http://h:1", "--in-process and --target exclude each other"),
        Arguments.of("--target http://h:1 --nodes 3", "--nodes applies only to --in-process"),
        Arguments.of("--target http://h:1 --loop-on-io-thread", "--loop-on-io-thread applies only to --in-process"),
        Arguments.of("--in-process --loop-on-io-thread --loop-on-io-thread", "--loop-on-io-thread is given twice"),
        Arguments.of("--target http://h:1 --log-store segment", "--log-store applies only to --in-process"),
        Arguments.of("--in-process --log-store leveldb", "--log-store must be rocksdb or segment, not 'leveldb'"),
        Arguments.of("--in-process --log-store", "--log-store needs a value"),
        Arguments.of("--in-process --nodes 4", "--nodes must be 3 or 5, not '4'"),
        Arguments.of("--in-process --nodes three", "--nodes needs a whole number, not 'three'"),
        Arguments.of("--in-process --concurrency 0", "--concurrency (0) must be in [1, 100000]"),
        Arguments.of("--in-process --concurrency x", "--concurrency needs a whole number, not 'x'"),
        Arguments.of("--in-process --concurrency", "--concurrency needs a value"),
        Arguments.of("--in-process --value-size 0", "--value-size (0) must be in [1, 1048576]"),
        Arguments.of("--in-process --value-size 2000000", "--value-size (2000000) must be in [1, 1048576]"),
        Arguments.of("--in-process --warmup-s -1", "--warmup-s (-1) must be in [0, 3600]"),
        Arguments.of("--in-process --duration-s 0", "--duration-s (0) must be in [1, 86400]"),
        Arguments.of("--in-process --duration-s 1.5", "--duration-s needs a whole number, not '1.5'"),
        Arguments.of("--in-process --clients 4", "unknown option '--clients'"),
        Arguments.of("--in-process 3", "unknown option '3'"),
        Arguments.of("--in-process --in-process", "--in-process is given twice"),
        Arguments.of("--in-process --concurrency 1 --concurrency 2", "--concurrency is given twice"),
        Arguments.of("--target", "--target needs a value"),
        Arguments.of("--target 127.0.0.1:8081", "--target must be http://HOST:PORT, not '127.0.0.1:8081'"),
        Arguments.of("--target https://h:8081", "--target must be http://HOST:PORT, not 'https://h:8081'"),
        Arguments.of("--target http://h", "--target must be http://HOST:PORT, not 'http://h'"),
        Arguments.of("--target http://h:8081/kv", "--target must be http://HOST:PORT, not 'http://h:8081/kv'"),
        Arguments.of("--target http://h:8081?x=1", "--target must be http://HOST:PORT, not 'http://h:8081?x=1'"),
        Arguments.of("--target http://h:80:81", "--target must be http://HOST:PORT, not 'http://h:80:81'"));
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @MethodSource("badCommandLines")
  void badCommandLineIsRefusedByName(String line, String error) {
    String[] args = line.isEmpty() ? new String[0] : line.split(" ");
    assertEquals(error, assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse(args)).getMessage());
  }
}
