package dev.pontoon.raft.engine.sim;

/**
 * Simulated time: a counter the simulator moves forward by hand, never the wall clock. One Raft
 * tick lasts {@link #UNITS_PER_TICK} units, so that message delays and disk syncs can be shorter
 * than a tick.
 */
final class VirtualClock {
  /** Time units per Raft tick. */
  static final long UNITS_PER_TICK = 10;

  private long now;

  /** The current time. */
  long now() {
    return now;
  }

  /**
   * Moves time forward to {@code time}.
   *
   * @throws IllegalArgumentException if {@code time} is in the past
   */
  void advanceTo(long time) {
    if (time < now) {
      throw new IllegalArgumentException("time cannot go back from " + now + " to " + time);
    }
    now = time;
  }
}
