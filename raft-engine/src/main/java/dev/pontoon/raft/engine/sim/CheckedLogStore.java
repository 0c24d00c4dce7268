package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.ForwardingLogStore;
import dev.pontoon.raft.storage.LogStore;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A simulated node's disk: an {@link InMemoryLogStore} that reports each append and sync to the
 * checkers, and that a crash leaves as a real disk may — what the last sync made durable plus
 * any prefix of the writes made since (the {@link LogStore} contract), or, under the
 * {@link Sabotage#LYING_SYNC} sabotage, only what an earlier honest sync kept. With process faults
 * every crash is the process's alone: the writes it kept stay unsynced in the operating system's
 * cache, and a later crash, then the machine's, may still lose any suffix of them.
 */
final class CheckedLogStore extends ForwardingLogStore {

  private final NodeId id;
  private final Invariants invariants;
  private final boolean lyingSync;
  private InMemoryLogStore disk = new InMemoryLogStore();
  private final DurableBeforeSent durable = new DurableBeforeSent();

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
   * @param processOnly the process crashed and the machine stays up: what was kept sits in the
   *     operating system's cache, readable by the next process but not durable, so a later crash
   *     may still lose it until a sync. Otherwise the kept prefix is durable at once.
   * @return how many writes the crash left unsynced in the cache
   */
  int crash(RandomGenerator random, long snapshotIndex, boolean forgetHardState, boolean processOnly) {
    int keep = lyingSync ? 0 : random.nextInt(disk.unsyncedWrites() + 1);
    boolean keptInCache = processOnly && !forgetHardState;
    disk = keptInCache ? disk.processCrashCopy(keep) : disk.crashCopy(keep);
    invariants.crashLeft(id, disk, snapshotIndex, keptInCache);
    if (forgetHardState) {
      disk.saveHardState(HardState.INITIAL);
    }
    if (keptInCache) {
      durable.crashed(disk);
    } else {
      disk.sync();
      durable.synced(disk);
    }
    return disk.unsyncedWrites();
  }

  /**
   * What {@code m}, sent now by this node, promises beyond what its disk holds durably, or null
   * if nothing ({@link DurableBeforeSent}).
   *
   * @param snapshotIndex last index of the node's newest durable snapshot, 0 if none
   */
  String unpersisted(RaftMessage m, long snapshotIndex) {
    return durable.unpersisted(m, disk.loadHardState().currentTerm(), snapshotIndex);
  }

  /** Whether this disk holds the entry ({@code index}, {@code term}) durably, in the log or the snapshot at {@code snapshotIndex}. */
  boolean holdsDurably(long index, long term, long snapshotIndex) {
    return durable.holds(disk, index, term, snapshotIndex);
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
  public void truncateSuffix(long fromIndex) {
    disk.truncateSuffix(fromIndex);
    durable.truncated(disk);
  }

  @Override
  public void truncatePrefix(long lastIncludedIndex, long lastIncludedTerm) {
    disk.truncatePrefix(lastIncludedIndex, lastIncludedTerm);
    durable.truncated(disk);
  }

  @Override
  public void sync() {
    if (!lyingSync) {
      disk.sync();
      durable.synced(disk);
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
