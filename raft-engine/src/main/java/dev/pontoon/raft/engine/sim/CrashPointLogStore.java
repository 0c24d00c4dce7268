package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.ForwardingLogStore;
import dev.pontoon.raft.storage.LogStore;
import java.util.List;
import java.util.function.Supplier;

/**
 * The log store one incarnation of a {@link RuntimeNode} sees: its node's disk, with a crash
 * point before every write and sync, so that a crash can fall inside a task or inside recovery,
 * between two writes the code meant to make together. Once its incarnation is dead every call
 * throws {@link SimulatedCrash}: code still unwinding after the crash reaches no disk.
 */
final class CrashPointLogStore extends ForwardingLogStore {

  /** Where a write is about to happen; may crash the node there. */
  interface CrashPoints {
    /**
     * @param incarnation the incarnation making the call
     * @param what describes the write, for the trace (built only where the crash falls: this runs
     *     at every write of every simulated node); null for a read, which only checks the
     *     incarnation lives
     * @throws SimulatedCrash if that incarnation is dead, or dies here
     */
    void reached(int incarnation, Supplier<String> what);
  }

  private static final Supplier<String> SYNC = () -> "sync";

  private final LogStore disk;
  private final CrashPoints points;
  private final int incarnation;

  CrashPointLogStore(LogStore disk, CrashPoints points, int incarnation) {
    this.disk = disk;
    this.points = points;
    this.incarnation = incarnation;
  }

  @Override
  protected LogStore delegate() {
    // Reads too: a dead incarnation must not see the disk its successor recovers from.
    points.reached(incarnation, null);
    return disk;
  }

  @Override
  public void saveHardState(HardState state) {
    points.reached(incarnation, () -> "save " + state);
    disk.saveHardState(state);
  }

  @Override
  public void append(List<LogEntry> entries) {
    points.reached(incarnation, () -> entries.isEmpty() ? "append of nothing"
        : "append [" + entries.get(0).index() + ", " + entries.get(entries.size() - 1).index() + "]");
    disk.append(entries);
  }

  @Override
  public void truncateSuffix(long fromIndex) {
    points.reached(incarnation, () -> "truncate from " + fromIndex);
    disk.truncateSuffix(fromIndex);
  }

  @Override
  public void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    points.reached(incarnation, () -> "compact through " + lastIncludedIndex);
    disk.truncatePrefix(lastIncludedIndex, lastIncludedTerm);
  }

  @Override
  public void sync() {
    points.reached(incarnation, SYNC);
    disk.sync();
  }

  /** A crashed process closes nothing; a stopped one keeps its disk. */
  @Override
  public void close() {}
}
