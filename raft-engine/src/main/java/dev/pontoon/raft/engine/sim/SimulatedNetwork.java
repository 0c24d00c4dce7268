package dev.pontoon.raft.engine.sim;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * The simulated network between nodes {@code 0..n-1}: decides, with the run's one random
 * source, whether each message is lost, duplicated and how long it takes (random delays reorder
 * messages), and which links are cut by the current partition.
 *
 * <p>A partition is a matrix of cut directed links, checked when a message would be delivered,
 * so that messages already in flight are lost too. Shapes: a majority and a minority side, an
 * isolated node (often the leader), a bridge (two sides that cannot talk, and one node that
 * talks to both), and one-way cuts.
 */
final class SimulatedNetwork {

  /** The shapes a partition can take. */
  enum Shape { MAJORITY_MINORITY, ISOLATED_NODE, BRIDGE, ONE_WAY }

  private final int size;
  private final RandomGenerator random;
  private final boolean[][] cut;
  private FaultPlan plan;
  private boolean partitioned;
  private String description = "healed";

  SimulatedNetwork(int size, FaultPlan plan, RandomGenerator random) {
    this.size = size;
    this.plan = plan;
    this.random = random;
    this.cut = new boolean[size][size];
  }

  /** Replaces the fault plan (for the final, healed phase). */
  void setPlan(FaultPlan plan) {
    this.plan = plan;
  }

  /**
   * Delivery delays for one message sent now: empty when it is lost, two when it is duplicated.
   */
  long[] delaysForSend() {
    if (plan.dropRate() > 0 && random.nextDouble() < plan.dropRate()) {
      return new long[0];
    }
    if (plan.longDelayRate() > 0 && random.nextDouble() < plan.longDelayRate()) {
      // Held in some router for several election timeouts: it arrives terms later (§5.1 stale terms).
      return new long[] {VirtualClock.UNITS_PER_TICK
          * random.nextInt(FaultPlan.LONG_DELAY_MIN_TICKS, FaultPlan.LONG_DELAY_MAX_TICKS + 1)};
    }
    long first = 1 + random.nextInt(plan.maxDelay());
    if (plan.duplicateRate() > 0 && random.nextDouble() < plan.duplicateRate()) {
      return new long[] {first, 1 + random.nextInt(plan.maxDelay())};
    }
    return new long[] {first};
  }

  /** Whether a message from {@code from} to {@code to} gets through the partition now. */
  boolean connected(int from, int to) {
    return !cut[from][to];
  }

  boolean isPartitioned() {
    return partitioned;
  }

  /** Cuts the network into {@code shape}; {@code focus} is the node to isolate or use as bridge. */
  void partition(Shape shape, int focus) {
    heal();
    int[] side = new int[size];
    switch (shape) {
      case MAJORITY_MINORITY -> {
        int[] order = shuffled();
        int minority = 1 + random.nextInt(Math.max(1, (size - 1) / 2));
        for (int i = 0; i < minority; i++) {
          side[order[i]] = 1;
        }
        cutBetweenSides(side, -1);
      }
      case ISOLATED_NODE -> {
        side[focus] = 1;
        cutBetweenSides(side, -1);
      }
      case BRIDGE -> {
        int[] order = shuffled();
        for (int i = 0; i < size; i++) {
          side[order[i]] = i % 2;
        }
        cutBetweenSides(side, focus);
      }
      case ONE_WAY -> {
        int links = 1 + random.nextInt(size);
        for (int i = 0; i < links; i++) {
          int a = random.nextInt(size);
          int b = random.nextInt(size);
          cut[a][b] = a != b;
        }
      }
    }
    partitioned = true;
    description = shape + " around n" + (focus + 1) + " " + render();
  }

  /** Restores every link. */
  void heal() {
    for (boolean[] row : cut) {
      Arrays.fill(row, false);
    }
    partitioned = false;
    description = "healed";
  }

  /** The current partition, for traces. */
  String describe() {
    return description;
  }

  private void cutBetweenSides(int[] side, int bridge) {
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        cut[a][b] = side[a] != side[b] && a != bridge && b != bridge;
      }
    }
  }

  private int[] shuffled() {
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  private String render() {
    StringBuilder sb = new StringBuilder("cut:");
    for (int a = 0; a < size; a++) {
      for (int b = 0; b < size; b++) {
        if (cut[a][b]) {
          sb.append(" n").append(a + 1).append("->n").append(b + 1);
        }
      }
    }
    return sb.toString();
  }
}
