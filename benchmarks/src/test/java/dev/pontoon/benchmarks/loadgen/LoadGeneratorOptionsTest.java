package dev.pontoon.benchmarks.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The load generator's command line: defaults, and a clear error for each kind of bad flag. */
class LoadGeneratorOptionsTest {

  @Test
  void defaultsAreAShortInMemoryRun() {
    LoadGenerator.Options options = LoadGenerator.Options.parse(new String[0]);
    assertEquals(3, options.nodes());
    assertEquals(InProcessCluster.TransportKind.MEMORY, options.transport());
    assertEquals(InProcessCluster.StoreKind.MEMORY, options.store());
  }

  @Test
  void transportAndStoreAreChosenByName() {
    LoadGenerator.Options options = LoadGenerator.Options.parse(
        new String[] {"--transport", "netty", "--store", "RocksDB", "--clients", "128"});
    assertEquals(InProcessCluster.TransportKind.NETTY, options.transport());
    assertEquals(InProcessCluster.StoreKind.ROCKSDB, options.store());
    assertEquals(128, options.clients());
  }

  @Test
  void unknownTransportNamesTheChoices() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> LoadGenerator.Options.parse(new String[] {"--transport", "pigeon"}));
    assertEquals("--transport must be one of [memory, netty], not 'pigeon'", e.getMessage());
  }

  @Test
  void nonNumericCountIsRefusedByName() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> LoadGenerator.Options.parse(new String[] {"--clients", "x"}));
    assertEquals("--clients needs a whole number, not 'x'", e.getMessage());
  }

  @Test
  void zeroClientsIsRefused() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> LoadGenerator.Options.parse(new String[] {"--clients", "0"}));
    assertEquals("--clients (0) must be positive", e.getMessage());
  }

  @Test
  void missingValueAndUnknownFlagAreRefused() {
    assertEquals("--seconds needs a value", assertThrows(IllegalArgumentException.class,
        () -> LoadGenerator.Options.parse(new String[] {"--seconds"})).getMessage());
    assertThrows(IllegalArgumentException.class, () -> LoadGenerator.Options.parse(new String[] {"--fast"}));
  }
}
