package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.storage.ForwardingLogStore;
import dev.pontoon.raft.storage.LogStore;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A simulated node's disk: an {@link InMemoryLogStore} that reports each append and sync to the
 * checkers, and that a crash leaves as a real disk may — what the last sync made durable plus
 * any prefix of the writes made since (the {@link LogStore} contract), or, under the
 * {@link Sabotage#LYING_SYNC} sabotage, only what an earlier honest sync kept.
 */
final class CheckedLogStore extends ForwardingLogStore {

  private final NodeId id;
  private final Invariants invariants;
  private final boolean lyingSync;
  private InMemoryLogStore disk = new InMemoryLogStore();

  /** @param lyingSync sabotage: {@link #sync()} makes nothing durable */
  CheckedLogStore(NodeId id, Invariants invariants, boolean lyingSync) {
    this.id = id;
    this.invariants = invariants;
    this.lyingSync = lyingSync;
  }

  /**
   * What survives a crash now: a random prefix of the unsynced writes is kept.
   *
   * @param snapshotIndex last index of the newest snapshot the node's snapshot store keeps, 0 if none
   * @param forgetHardState sabotage: the hard state is lost too
   */
  void crash(RandomGenerator random, long snapshotIndex, boolean forgetHardState) {
    disk = disk.crashCopy(lyingSync ? 0 : random.nextInt(disk.unsyncedWrites() + 1));
    invariants.crashLeft(id, disk, snapshotIndex);
    if (forgetHardState) {
      disk.saveHardState(HardState.INITIAL);
    }
    disk.sync();
  }

  @Override
  public void append(List<LogEntry> entries) {
    long previousTerm = entries.isEmpty() ? 0 : disk.term(entries.get(0).index() - 1);
    disk.append(entries);
    if (!entries.isEmpty()) {
      invariants.written(id, entries, previousTerm);
    }
  }

  @Override
  public void sync() {
    if (!lyingSync) {
      disk.sync();
    }
    invariants.synced(id, disk.loadHardState().currentTerm());
  }

  @Override
  protected LogStore delegate() {
    return disk;
  }

  /** The disk outlives the process: closing the store at a node's stop keeps it. */
  @Override
  public void close() {}
}
