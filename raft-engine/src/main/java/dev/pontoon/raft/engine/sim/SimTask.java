package dev.pontoon.raft.engine.sim;

/** A piece of a simulated runtime's work that the simulator runs when its event comes up. */
interface SimTask {

  /** Runs it, on the simulator's thread. */
  void run();

  /** False once its node crashed: the event is then dropped without a trace. */
  boolean isLive();

  /** For traces, e.g. {@code pontoon-n1-sync}. */
  String name();
}
