package dev.pontoon.raft.engine.sim;

import java.util.random.RandomGenerator;

/**
 * Faults of a node's process rather than its network, for runs of the production runtime that
 * ask for them: crashes that fall inside a task or inside recovery, and pauses of the whole
 * process (a collector's stop-the-world, a descheduled VM) while its clock runs on.
 *
 * @param insideShare share of the main phase's crashes that fall at a crash point inside the
 *     node's work (its next few writes, syncs or snapshot commits) rather than between two tasks
 * @param recoveryCrashRate probability that a restart crashes again inside its own recovery
 * @param pauseRate probability, at each fault point, that a node's process pauses
 * @param maxPauseTicks longest pause, in ticks; pauses beyond an election timeout let the others
 *     elect a new leader while the paused one still believes it leads
 */
record ProcessFaults(double insideShare, double recoveryCrashRate, double pauseRate, int maxPauseTicks) {

  /** Most crash points an armed crash lets pass before it falls (0: the next write or sync). */
  static final int MAX_POINTS_BEFORE_CRASH = 5;

  ProcessFaults {
    for (double rate : new double[] {insideShare, recoveryCrashRate, pauseRate}) {
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("process fault rates must be in [0, 1], not " + rate);
      }
    }
    if (maxPauseTicks < 1) {
      throw new IllegalArgumentException("maxPauseTicks (" + maxPauseTicks + ") must be at least 1");
    }
  }

  /**
   * Draws them: a quarter to all of the crashes fall inside work, up to a third of restarts crash
   * again in recovery, and up to 15 % of fault points pause a node for up to 5, 25 or 60 ticks.
   */
  static ProcessFaults draw(RandomGenerator random) {
    int[] pauses = {5, 25, 60};
    return new ProcessFaults(random.nextDouble(0.25, 1), random.nextDouble(0.34), random.nextDouble(0.15),
        pauses[random.nextInt(pauses.length)]);
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT,
        "process faults: %.0f%% of crashes inside work, %.0f%% of restarts crash in recovery, pauses at %.0f%% of"
            + " fault points up to %d ticks", insideShare * 100, recoveryCrashRate * 100, pauseRate * 100,
        maxPauseTicks);
  }
}
