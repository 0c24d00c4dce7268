package dev.pontoon.raft.engine.sim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.engine.sim.Simulation.Mode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Streamed snapshots under the simulator's faults: the production runtime takes a snapshot every
 * few entries and streams it in pieces of a few bytes, while the network loses, duplicates and
 * reorders pieces and answers, partitions cut transfers, leaders change and nodes crash in the
 * middle of a transfer. Every run must keep the paper's safety properties and linearizability,
 * no node may stop itself (a half-installed or damaged snapshot would), and a healed cluster
 * must make progress.
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
  }

  @Test
  void fiveNodeClustersStreamSnapshotsSafely() {
    SimulationTest.runSeeds(3_100_001, 60, 5, Mode.RUNTIME_SNAPSHOTS);
  }
}
