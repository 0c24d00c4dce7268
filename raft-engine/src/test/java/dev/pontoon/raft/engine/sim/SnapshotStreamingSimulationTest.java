package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.sim.Simulation.Mode;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Streamed snapshots under the simulator's faults: the production runtime takes a snapshot every
 * few entries and streams it in pieces of a few bytes, while the network loses, duplicates and
 * reorders pieces and answers, partitions cut transfers, leaders change and nodes crash in the
 * middle of a transfer. Every run must keep the paper's safety properties and linearizability,
 * no node may stop itself (a half-installed or damaged snapshot would), and a healed cluster
 * must make progress. Each node's snapshot store prunes as a store on disk does (keeping 1 or 2
 * snapshots, {@code InMemorySnapshotStore.pruning}), so a snapshot being sent stays readable only
 * while the sender holds a stream over it.
 */
class SnapshotStreamingSimulationTest {

  @Test
  void chunkedSnapshotTransfersUnderEveryFaultKeepEveryProperty() {
    List<SimulationResult> results = SimulationTest.runSeeds(3_000_001, 320, 3, Mode.RUNTIME_SNAPSHOTS);

    long pieces = results.stream().mapToLong(SimulationResult::snapshotPieces).sum();
    long installs = results.stream().mapToLong(SimulationResult::snapshotsAcknowledged).sum();
    long seedsWithInstalls = results.stream().filter(r -> r.snapshotsAcknowledged() > 0).count();
    assertTrue(pieces > 10_000, "snapshots must actually travel in pieces: " + pieces);
    assertTrue(seedsWithInstalls > results.size() / 4, "followers must actually install streamed snapshots: "
        + installs + " installs in " + seedsWithInstalls + " seeds");
    long olderOpened = results.stream().mapToLong(r -> r.snapshotReadsSeen().olderOpened()).sum();
    assertTrue(olderOpened > 1_000, "senders must reopen snapshots that newer ones replaced in a pruning store: "
        + olderOpened);
  }

  /**
   * A snapshot store that breaks the reader rules (a replaced snapshot refuses to open even while
   * a stream over it is open) costs transfers, never safety or liveness: the sender starts over
   * with the newest snapshot (SnapshotStore, "Readers": the runtime relies on the rules for
   * progress only).
   */
  @Test
  void theRuntimeReliesOnTheSnapshotReaderRulesForProgressOnly() {
    long refused = 0;
    for (long seed = 3_200_001; seed <= 3_200_020; seed++) {
      SimulationResult r = new Simulation(seed, 3, Sabotage.SNAPSHOT_READERS_IGNORED, Mode.RUNTIME_SNAPSHOTS)
          .run(10_000);
      assertTrue(r.ok(), r::describe);
      refused += r.snapshotReadsSeen().refused();
    }
    assertTrue(refused > 50, "the store must actually refuse replaced snapshots: " + refused);
  }

  @Test
  void fiveNodeClustersStreamSnapshotsSafely() {
    SimulationTest.runSeeds(3_100_001, 60, 5, Mode.RUNTIME_SNAPSHOTS);
  }

  /** The soak profile's longer run: pruning snapshot stores, with and without process faults. */
  @Test
  @Tag("soak")
  void tenThousandSnapshotHeavySeedsWithPruningStoresKeepEveryProperty() {
    SimulationTest.runSeeds(3_500_001, 5_000, 0, Mode.RUNTIME_SNAPSHOTS);
    SimulationTest.runSeeds(3_600_001, 5_000, 0, Mode.RUNTIME_SNAPSHOTS, true, true);
  }
}
