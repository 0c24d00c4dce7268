package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.storage.SnapshotStore.StoredSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery at start: the one function that turns a node's stores into a core ready to run. Every
 * start goes through it — a host's, and the simulator's, which restarts a node through the
 * builder too — so that a crash state the simulator finds is recovered exactly as in production.
 *
 * <p>In order: the latest snapshot is read and the log reconciled with it; the state machine is
 * restored from the snapshot, streamed, unless it reports holding more on its own disk
 * ({@code StateMachine.durableAppliedIndex}), in which case the log is replayed after what it
 * holds; the hard state is recovered (a new cluster's bootstrap vote is recorded); the core is
 * built with the snapshot's configuration, or the initial one (none for a node started to join),
 * and rebuilds the configuration in force from the log's CONFIGURATION entries after it (thesis
 * §4.1).
 *
 * <p>Public only for {@link #reconcileLog}, which the bare-core simulator calls too, so that one
 * rule reconciles a log with its snapshot everywhere. Hosts never call it.
 */
public final class Recovery {

  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  /**
   * What recovery produced.
   *
   * @param core the core, built on the reconciled log
   * @param hardState the recovered hard state
   * @param appliedIndex index up to which the state machine holds the log (what a durable state
   *     machine reports when beyond the snapshot, else the snapshot's, or 0)
   * @param appliedTerm term of that entry (0 without a snapshot)
   * @param appliedConfig the configuration in force at {@code appliedIndex}: the last
   *     CONFIGURATION entry up to it after the snapshot (a durable state machine resuming past the
   *     snapshot), else the snapshot's, else the initial one; null for a joining node that knows none
   * @param snapshotIndex last index of the latest snapshot, 0 when none: below {@code appliedIndex}
   *     when a durable state machine resumes past it
   */
  record Recovered(RaftCore core, HardState hardState, long appliedIndex, long appliedTerm,
      ClusterConfig appliedConfig, long snapshotIndex) {}

  private Recovery() {}

  /**
   * Recovers a node from {@code options}' stores. The log store is synced before anything is read
   * from it, and its writes (a reconciliation, a bootstrap vote) before it returns.
   *
   * @throws IllegalStateException if the stores contradict each other beyond what Raft repairs
   * @throws RuntimeException what the stores or the state machine threw
   */
  static Recovered recover(NodeOptions options) {
    NodeId id = options.id();
    // What a process that crashed wrote and never synced can still sit in the OS's cache: readable,
    // yet lost if the machine fails later. This node acts on what it reads (answers a leader with a
    // match index, a candidate with its vote), so all of it is made durable first (Figure 2).
    options.logStore().sync();
    Optional<StoredSnapshot> stored = options.snapshotStore().newest();
    Optional<SnapshotMeta> meta = stored.map(StoredSnapshot::meta);
    reconcileLog(id, options.logStore(), meta.orElse(null));
    long snapshotIndex = meta.map(SnapshotMeta::lastIncludedIndex).orElse(0L);
    long durable = options.stateMachine().durableAppliedIndex();
    long appliedIndex;
    long appliedTerm;
    if (durable > snapshotIndex) {
      // A state machine that keeps its state on disk holds more than the snapshot: it needs only
      // the entries after what it holds, which the log must still have.
      LogStore log = options.logStore();
      if (durable > log.lastIndex() || durable < log.firstIndex() - 1) {
        throw new IllegalStateException(id + ": the state machine holds the log up to " + durable
            + " but this node's durable log is [" + log.firstIndex() + ", " + log.lastIndex() + "]: the state machine"
            + " persisted entries its node had not made durable (persist applied state no further than the log)");
      }
      appliedIndex = durable;
      appliedTerm = log.term(durable);
      LOG.info("{}: the state machine holds the log up to {}; no snapshot restored, replay starts after it", id,
          durable);
    } else {
      appliedIndex = stored.map(s -> restore(options, s)).orElse(0L);
      appliedTerm = meta.map(SnapshotMeta::lastIncludedTerm).orElse(0L);
    }
    ClusterConfig config = meta.map(SnapshotMeta::config).orElse(options.cluster());
    boolean bootstrappedNow = bootstrap(options, stored.isPresent());
    HardState hardState = options.logStore().loadHardState();
    RaftCore core = new RaftCore(id, config, options.raftConfig(), options.logStore(), hardState, appliedIndex,
        new SplittableRandom(options.randomSeed()));
    meta.ifPresent(m -> core.snapshotAvailable(new Snapshot(m, Bytes.EMPTY),
        Math.max(0, m.lastIncludedIndex() - options.snapshotPolicy().logRetainEntries())));
    if (bootstrappedNow && id.equals(options.bootstrapLeader())) {
      core.bootstrapAsLeader();
    }
    // A snapshot taken later records the configuration at its own index (§7), so the apply side
    // must start from the one in force where the state machine resumes, not the snapshot's: the
    // core has already read every configuration entry of the log.
    ClusterConfig appliedConfig = durable > snapshotIndex ? core.configAt(appliedIndex) : config;
    return new Recovered(core, hardState, appliedIndex, appliedTerm, appliedConfig, snapshotIndex);
  }

  /**
   * Figure 13 steps 6-7, at start: the log must continue the latest snapshot, that is hold its
   * last included entry with the same term. A crash between saving a snapshot received from the
   * leader and syncing the log's truncation, or after a snapshot of entries this node had not
   * yet made durable, leaves a log that stops short of the snapshot or holds another term there:
   * it is discarded, as InstallSnapshot would have done, and the discard synced.
   *
   * <p>A log that starts after the snapshot cannot be repaired: the entries between are in
   * neither store (the snapshot store lost a snapshot the log was compacted behind).
   */
  public static void reconcileLog(NodeId id, LogStore log, SnapshotMeta snapshot) {
    long index = snapshot == null ? 0 : snapshot.lastIncludedIndex();
    if (log.firstIndex() - 1 > index) {
      throw new IllegalStateException(id + ": the log starts at index " + log.firstIndex() + " but the latest snapshot "
          + (snapshot == null ? "is missing" : "ends at " + index) + ": entries " + (index + 1) + " to "
          + (log.firstIndex() - 1) + " are in neither store; was the snapshot store durable?");
    }
    if (snapshot == null) {
      return;
    }
    long term = snapshot.lastIncludedTerm();
    if (index <= log.lastIndex() && log.term(index) == term) {
      return;
    }
    LOG.info("{}: the log [{}, {}] does not hold the snapshot's last entry ({} at term {}): discarded (Figure 13)",
        id, log.firstIndex(), log.lastIndex(), index, term);
    log.truncatePrefix(index, term);
    log.sync();
    if (log.firstIndex() != index + 1 || log.term(index) != term) {
      throw new IllegalStateException(id + ": the log could not be reset to start after the snapshot at " + index
          + " (term " + term + "): it is [" + log.firstIndex() + ", " + log.lastIndex() + "] with term "
          + log.term(log.firstIndex() - 1) + " before it");
    }
  }

  private static long restore(NodeOptions options, StoredSnapshot snapshot) {
    long index = snapshot.meta().lastIncludedIndex();
    try (InputStream in = snapshot.open()) {
      // The state machine may close the stream; the checksum is still read (ApplyWorker.restoreInto).
      ApplyWorker.restoreInto(options.stateMachine(), in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restore the snapshot at index " + index, e);
    }
    return index;
  }

  /**
   * A new cluster started with a bootstrap leader: on a brand-new store, every member durably
   * writes, before it ever runs, the bootstrap entry (index 1, term 1, the initial
   * configuration) and a vote for that leader in term 1. One vote per term (§5.2) makes it the
   * only possible leader of term 1, so it may lead at once, and any election starts at term 2;
   * every member holding the same entry (1, 1) from birth keeps Log Matching (§5.3).
   *
   * <p>Bootstrap is a one-time durable event: only a start that found the store brand new, and
   * made the bootstrap state durable itself, may make this node leader of term 1. A restart — even
   * one that finds exactly that state again, after a crash before any later write was synced —
   * elects normally, so a bootstrap leader can never lead term 1 twice and write a second,
   * different entry where followers already hold one.
   *
   * @return whether this start wrote the bootstrap state
   */
  private static boolean bootstrap(NodeOptions options, boolean hasSnapshot) {
    LogStore store = options.logStore();
    NodeId leader = options.bootstrapLeader();
    if (leader == null || !store.loadHardState().equals(HardState.INITIAL) || store.lastIndex() != 0
        || store.firstIndex() != 1 || hasSnapshot) {
      return false;
    }
    // The vote first: a crash before the sync keeps a prefix of these writes (LogStore), and a
    // member left with the entry but no vote would restart at term 0, free to elect a second
    // leader of term 1. With the vote alone it restarts bound to the bootstrap leader in term 1
    // and gets the entry from it like any missing entry (§5.3).
    store.saveHardState(new HardState(1, leader));
    store.append(List.of(RaftCore.bootstrapEntry(options.cluster())));
    store.sync();
    LOG.info("{} bootstrapped a new cluster with {} as leader of term 1", options.id(), leader);
    return true;
  }
}
