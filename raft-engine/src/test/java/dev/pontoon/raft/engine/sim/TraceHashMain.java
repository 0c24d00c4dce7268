package dev.pontoon.raft.engine.sim;

/** Prints the trace hash of one seed, for {@link DeterminismAcrossProcessesTest}: {@code <seed> <nodes>}. */
final class TraceHashMain {
  private TraceHashMain() {}

  public static void main(String[] args) {
    System.out.println(Simulation.run(Long.parseLong(args[0]), Integer.parseInt(args[1]), 10_000).traceHash());
  }
}
