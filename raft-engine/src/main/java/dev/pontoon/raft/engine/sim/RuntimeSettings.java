package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.runtime.ApplyPlacement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * How one seed sets up the production runtime under simulation, so that the seed space covers
 * every mode a host can choose.
 *
 * @param bootstrapLeader the voter every member names as bootstrap leader, or null for a first
 *     leader that is elected
 * @param leaseReads reads from the leader's lease ({@code ReadMode.LEASE}, only with CheckQuorum)
 *     instead of ReadIndex
 * @param clockDriftBound the drift bound the lease is computed with; every node's clock rate is
 *     drawn within it
 * @param clockRates per node, how fast its clock runs against virtual time, in
 *     {@code [1 - clockDriftBound, 1]}
 * @param snapshotEvery the runtime snapshots and compacts every this many applied entries; 0 never
 * @param proposalTimeoutTicks how long a proposal may wait for its commit
 * @param batchCap most items any queue hands its handler at once
 * @param snapshotChunkBytes most bytes per streamed snapshot piece: small, so that a snapshot
 *     travels in many pieces the network loses, duplicates and reorders
 * @param snapshotChunksInFlight most pieces unacknowledged per follower
 * @param logRetainEntries entries kept behind each snapshot (the catch-up margin)
 * @param leaderWritesOnLoop whether leaders write their log on the event loop
 *     ({@code RaftServerBuilder.leaderWritesOnEventLoop})
 * @param applyPlacement where nodes apply ({@code applyOnEventLoop}: true, false, or not set for
 *     the adaptive default)
 * @param snapshotsKept snapshots each node's snapshot store keeps, pruning older ones as a store on
 *     disk does ({@code InMemorySnapshotStore.pruning}); 0: a store that never prunes a handle
 */
record RuntimeSettings(NodeId bootstrapLeader, boolean leaseReads, double clockDriftBound, List<Double> clockRates,
    long snapshotEvery, int proposalTimeoutTicks, int batchCap, int snapshotChunkBytes, int snapshotChunksInFlight,
    long logRetainEntries, boolean leaderWritesOnLoop, ApplyPlacement applyPlacement, int snapshotsKept) {

  RuntimeSettings {
    clockRates = List.copyOf(clockRates);
  }

  /**
   * How long leaders hold proposals after answering some ({@code RaftServerBuilder.proposalLinger}):
   * on for odd proposal timeouts, two time units (a fifth of a tick). Derived, not drawn, so that
   * adding it left every earlier seed's draws, and what it replays, unchanged.
   */
  Duration proposalLinger() {
    return proposalTimeoutTicks % 2 == 1 ? Duration.ofMillis(2) : Duration.ZERO;
  }

  /** These settings with snapshots off, for a state machine that does not support them. */
  RuntimeSettings withoutSnapshots() {
    return new RuntimeSettings(bootstrapLeader, leaseReads, clockDriftBound, clockRates, 0, proposalTimeoutTicks,
        batchCap, snapshotChunkBytes, snapshotChunksInFlight, logRetainEntries, leaderWritesOnLoop, applyPlacement,
        snapshotsKept);
  }

  /** These settings with leaders writing, and every node applying, on the event loop. */
  RuntimeSettings withWorkOnLoop() {
    return new RuntimeSettings(bootstrapLeader, leaseReads, clockDriftBound, clockRates, snapshotEvery,
        proposalTimeoutTicks, batchCap, snapshotChunkBytes, snapshotChunksInFlight, logRetainEntries, true,
        ApplyPlacement.EVENT_LOOP, snapshotsKept);
  }

  /**
   * Draws a seed's settings for {@code nodes} nodes of which the first are {@code voters} (the
   * others join later); {@code snapshotHeavy} makes snapshots frequent and their pieces tiny, so
   * that every run streams many snapshots through the faults, and its nodes' snapshot stores
   * prune, keeping 1 or 2 snapshots (derived from the drawn proposal timeout, not drawn, so that
   * every seed draws what it drew before pruning existed).
   */
  static RuntimeSettings draw(RandomGenerator random, List<NodeId> voters, int nodes, RaftConfig raftConfig,
      boolean snapshotHeavy) {
    NodeId bootstrap = random.nextBoolean() ? voters.get(random.nextInt(voters.size())) : null;
    boolean lease = raftConfig.checkQuorum() && random.nextBoolean();
    double drift = 0.1;
    List<Double> rates = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      rates.add(random.nextInt(3) == 0 ? 1.0 : 1.0 - random.nextDouble(drift));
    }
    long[] snapshotChoices = snapshotHeavy ? new long[] {2, 3, 5} : new long[] {0, 3, 7, 25, 100};
    int[] batchChoices = {1, 3, 4096};
    long snapshotEvery = snapshotChoices[random.nextInt(snapshotChoices.length)];
    int proposalTimeoutTicks = random.nextInt(15, 80);
    int batchCap = batchChoices[random.nextInt(batchChoices.length)];
    int[] chunkChoices = snapshotHeavy ? new int[] {1, 3, 8, 32} : new int[] {1, 5, 16, 64, 1 << 20};
    int[] inFlightChoices = {1, 2, 4};
    long[] retainChoices = snapshotHeavy ? new long[] {0, 0, 1, 3} : new long[] {0, 0, 2, 10};
    return new RuntimeSettings(bootstrap, lease, drift, rates, snapshotEvery, proposalTimeoutTicks, batchCap,
        chunkChoices[random.nextInt(chunkChoices.length)], inFlightChoices[random.nextInt(inFlightChoices.length)],
        retainChoices[random.nextInt(retainChoices.length)], false,
        random.nextBoolean() ? ApplyPlacement.APPLY_THREAD : ApplyPlacement.ADAPTIVE,
        snapshotHeavy ? 1 + (proposalTimeoutTicks / 2) % 2 : 0);
  }
}
