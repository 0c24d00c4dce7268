package dev.pontoon.raft.engine.sim;

import java.util.random.RandomGenerator;

/**
 * How hostile one simulated run is. Each seed draws its own plan, so that the seed space covers
 * calm clusters and hostile ones alike.
 *
 * @param dropRate probability that a message is lost, in [0, 1)
 * @param duplicateRate probability that a message is delivered twice, in [0, 1)
 * @param maxDelay largest delivery delay in time units (at least 1); random delays reorder
 * @param partitionRate probability, at each fault point, of cutting the network (or healing it)
 * @param crashRate probability, at each fault point, that a node crashes
 * @param maxSyncDelay largest time a disk sync takes, in time units
 * @param transferRate probability, at each fault point, that the leader is asked to hand over
 *     leadership to a random voter (thesis §3.10)
 * @param compactRate probability, at each fault point, that a node snapshots its state and
 *     compacts its log (§7), so that lagging followers need InstallSnapshot
 * @param longDelayRate probability that a message is held for {@link #LONG_DELAY_MIN_TICKS} to
 *     {@link #LONG_DELAY_MAX_TICKS} ticks, far longer than an election timeout, so that it
 *     arrives terms later
 * @param malformedRate probability that an AppendEntries carrying entries is replaced by a
 *     malformed copy (an entry's term above the message's term), which a node must drop and
 *     survive
 */
record FaultPlan(double dropRate, double duplicateRate, int maxDelay, double partitionRate, double crashRate,
    int maxSyncDelay, double transferRate, double compactRate, double longDelayRate, double malformedRate) {

  /** Shortest hold of a long-delayed message, in ticks (twice the default maximum election timeout). */
  static final int LONG_DELAY_MIN_TICKS = 40;
  /** Longest hold of a long-delayed message, in ticks. */
  static final int LONG_DELAY_MAX_TICKS = 200;

  FaultPlan {
    requireRate(dropRate, "dropRate");
    requireRate(duplicateRate, "duplicateRate");
    requireRate(partitionRate, "partitionRate");
    requireRate(crashRate, "crashRate");
    requireRate(transferRate, "transferRate");
    requireRate(compactRate, "compactRate");
    requireRate(longDelayRate, "longDelayRate");
    requireRate(malformedRate, "malformedRate");
    if (maxDelay < 1) {
      throw new IllegalArgumentException("maxDelay (" + maxDelay + ") must be at least 1");
    }
    if (maxSyncDelay < 0) {
      throw new IllegalArgumentException("maxSyncDelay (" + maxSyncDelay + ") must be >= 0");
    }
  }

  /** No loss, duplication, partition or crash; short delays. */
  static FaultPlan calm() {
    return new FaultPlan(0, 0, 3, 0, 0, 2, 0, 0, 0, 0);
  }

  /**
   * Draws a plan: one in five is calm, the others take drop 0–30 %, duplication 0–50 %, delays
   * up to 4 ticks, partitions at up to 30 %, crashes at up to 10 % and leadership transfers at
   * up to 10 % and compactions at up to 50 % of fault points; up to 2 % of messages are held
   * far longer than an election timeout; one plan in three replaces up to 1 % of AppendEntries
   * with malformed copies.
   */
  static FaultPlan draw(RandomGenerator random) {
    if (random.nextInt(5) == 0) {
      return calm();
    }
    return new FaultPlan(random.nextDouble(0.3), random.nextDouble(0.5), random.nextInt(2, 41),
        random.nextDouble(0.3), random.nextDouble(0.1), random.nextInt(0, 31), random.nextDouble(0.1),
        random.nextDouble(0.5), random.nextDouble(0.02), random.nextInt(3) == 0 ? random.nextDouble(0.01) : 0);
  }

  /**
   * The network and disks of the final phase: nothing lost, duplicated or cut, and delays short.
   * Raft promises progress only under its timing requirement, broadcastTime ≪ electionTimeout
   * (§5.6); the main phase may break it on purpose (delays of up to 4 ticks against a 10-tick
   * timeout), so the liveness check restores it.
   */
  FaultPlan healed() {
    return calm();
  }

  private static void requireRate(double rate, String name) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException(name + " (" + rate + ") must be in [0, 1)");
    }
  }
}
