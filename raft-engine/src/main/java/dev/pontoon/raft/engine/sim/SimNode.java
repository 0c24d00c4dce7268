package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.Proposal;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.core.ReadState;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.runtime.Recovery;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.LogReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.random.RandomGenerator;

/**
 * One simulated node: a {@link RaftCore}, its {@link InMemoryLogStore} and the workload's state
 * machine (a {@link TrackedStateMachine}), driven the way a real runtime drives them. It carries out each
 * {@link Ready} in the documented order: write hard state and entries, send {@code sendNow},
 * apply committed entries, queue the Ready until its (delayed) sync, and only then release
 * {@code sendAfterSync} and call {@code advance}, Readys in the order they were produced.
 *
 * <p>A crash drops everything volatile — core, state machine, Readys waiting for their sync — and
 * keeps only the store's {@link InMemoryLogStore#durableCopy()} and the latest snapshot (the
 * snapshot store writes atomically and durably).
 *
 * <p>Compaction (§7): the node snapshots its state machine at an applied index, truncates the log
 * prefix, and announces the snapshot to its core, which sends it to followers that lag behind.
 */
final class SimNode implements SimulatedNode {

  /** A proposal this node accepted for a client operation. */
  private record PendingWrite(long opId, long term) {}

  /** A confirmed read waiting for the state machine to reach its read index. */
  private record PendingRead(long opId, Bytes query, long readIndex) {}

  final int index;
  final NodeId id;
  private final Simulation sim;
  private final ClusterConfig config;
  private final RaftConfig raftConfig;
  private InMemoryLogStore store = new InMemoryLogStore();
  private final DurableBeforeSent durable = new DurableBeforeSent();
  private RaftCore core;
  private TrackedStateMachine stateMachine;
  private long applied;
  private int incarnation;
  private final ArrayDeque<Ready> awaitingSync = new ArrayDeque<>();
  private long lastSyncAt;
  private final Map<Long, PendingWrite> pendingWrites = new LinkedHashMap<>();
  private final Map<Long, Bytes> readsRegistered = new LinkedHashMap<>();
  private final List<PendingRead> readsWaiting = new ArrayList<>();
  private long proposalTerm;
  /** The liveness probe this node proposed, until it is applied. */
  private Proposal probe;
  /** The snapshot store: survives crashes. */
  private Snapshot snapshot;
  /** The membership change this node proposed as leader, until its entry is applied; and who hears of it. */
  private Proposal change;
  private BiConsumer<String, Boolean> changeOutcome;

  /** @param config the initial configuration, or null for a spare node that knows none until added */
  SimNode(int index, Simulation sim, ClusterConfig config, RaftConfig raftConfig) {
    this.index = index;
    this.id = NodeId.of("n" + (index + 1));
    this.sim = sim;
    this.config = config;
    this.raftConfig = raftConfig;
  }

  @Override
  public int index() {
    return index;
  }

  @Override
  public NodeId id() {
    return id;
  }

  @Override
  public boolean isUp() {
    return core != null;
  }

  @Override
  public RaftCore core() {
    return core;
  }

  /** Entries are written to the store before anything else happens, so the store is the core's log. */
  @Override
  public LogReader log() {
    return store;
  }

  @Override
  public int incarnation() {
    return incarnation;
  }

  @Override
  public long nextTickDelay() {
    return VirtualClock.UNITS_PER_TICK;
  }

  /** Starts (or restarts) from the durable state: the latest snapshot, if any, then the log after it. */
  @Override
  public void start(RandomGenerator random) {
    if (snapshot == null) {
      stateMachine = newStateMachine();
      applied = 0;
    } else {
      SnapshotMeta meta = snapshot.meta();
      // The runtime's own reconciliation (Figure 13 steps 6-7): keep the log only if it continues the snapshot.
      Recovery.reconcileLog(id, store, meta);
      durable.synced(store); // the reconciliation wrote and synced the store behind the check's back
      stateMachine = restored(snapshot.data());
      applied = meta.lastIncludedIndex();
    }
    sim.invariants().restored(id, applied);
    core = new RaftCore(id, config, raftConfig, store, store.loadHardState(), applied, random);
    if (snapshot != null) {
      core.snapshotAvailable(snapshot);
    }
    drain();
  }

  /**
   * Snapshots the state machine at its applied index and compacts the log up to it (§7). Only
   * when no Ready awaits its sync, so that the core never holds an unstable entry the store has
   * already compacted away.
   */
  @Override
  public void compact() {
    if (!awaitingSync.isEmpty() || applied <= store.firstIndex() - 1 || !sim.snapshotsSupported()
        || core.configAt(applied) == null) {
      return; // (a spare node that knows no configuration yet has nothing a snapshot could record)
    }
    long term = store.term(applied);
    // §7: the snapshot records the configuration in force at its own index.
    snapshot = new Snapshot(new SnapshotMeta(applied, term, core.configAt(applied)), capture());
    store.truncatePrefix(applied, term);
    durable.truncated(store);
    core.snapshotAvailable(snapshot);
    drain();
  }

  /** Loses everything not synced; {@code forgetHardState} is the test-only sabotage of persistence. */
  @Override
  public void crash(boolean forgetHardState) {
    store = store.durableCopy();
    sim.invariants().crashLeft(id, store);
    probe = null;
    change = null;
    if (forgetHardState) {
      store.saveHardState(HardState.INITIAL);
      store.sync();
    }
    durable.synced(store); // all of it: the durable copy
    core = null;
    stateMachine = null;
    awaitingSync.clear();
    incarnation++;
    failPendingAsUnknown();
    for (long opId : readsRegistered.keySet()) {
      sim.clients().notLeader(opId, null, id + " crashed (a read)");
    }
    for (PendingRead r : readsWaiting) {
      sim.clients().notLeader(r.opId(), null, id + " crashed (a read)");
    }
    readsRegistered.clear();
    readsWaiting.clear();
  }

  @Override
  public void tick() {
    core.tick();
    drain();
  }

  @Override
  public void deliver(RaftMessage message) {
    try {
      core.step(message);
    } catch (IllegalArgumentException e) {
      // As the runtime does: a message no correct peer sends is dropped; the node goes on.
      return;
    }
    drain();
  }

  /**
   * A client asks this node to write.
   *
   * @throws NotLeaderException if this node is not the leader
   */
  @Override
  public void submitCommand(long opId, Bytes command) {
    Proposal p;
    try {
      p = core.propose(Envelope.wrap(opId, command));
    } catch (NotLeaderException e) {
      sim.clients().notLeader(opId, e.leaderHint().orElse(null), id + ": " + e);
      return;
    }
    if (sim.sabotage() == Sabotage.NOT_LEADER_AFTER_APPEND) {
      sim.clients().notLeader(opId, null, id + ": NotLeaderException after appending at " + p.index() + " (sabotage)");
      drain();
      return;
    }
    pendingWrites.put(p.index(), new PendingWrite(opId, p.term()));
    proposalTerm = p.term();
    drain();
  }

  /**
   * Asks this leader to hand leadership to {@code target} (thesis §3.10).
   *
   * @throws NotLeaderException if this node is not the leader
   */
  @Override
  public void transferLeadership(NodeId target) {
    try {
      core.transferLeadership(target);
    } catch (NotLeaderException | IllegalArgumentException e) {
      return; // not the leader, or the target is no voter (a learner, or not a member)
    }
    drain();
  }

  /**
   * The bare core's change (an {@code AddVoter} adds a voter at once: catching up as a learner
   * first is the runtime's part); its outcome is known when its entry is applied.
   */
  @Override
  public void changeMembership(List<MemberChange> changes, BiConsumer<String, Boolean> outcome) {
    Proposal p;
    try {
      p = core.proposeConfigChange(changes);
    } catch (RaftException e) {
      outcome.accept("membership change " + changes + " refused: " + e.getMessage(), false);
      return;
    }
    change = p;
    changeOutcome = outcome;
    drain();
  }

  @Override
  public void proposeProbe(long attempt) {
    probe = core.propose(Envelope.wrap(Envelope.PROBE, Bytes.ofUtf8("probe " + attempt)));
    drain();
  }

  @Override
  public boolean probeInFlight() {
    return probe != null && core != null && core.role() == Role.LEADER && core.term() == probe.term();
  }

  /**
   * A client asks this node for a linearizable read (ReadIndex, thesis §6.4); with
   * {@code sabotage} the node answers from its local state at once, which is stale on a
   * deposed leader or a lagging follower.
   *
   * @throws NotLeaderException if this node is not the leader
   */
  @Override
  public void submitRead(long opId, Bytes query, boolean sabotage) {
    if (sabotage) {
      sim.clients().completed(opId, stateMachine.query(query));
      return;
    }
    try {
      core.readIndex(opId);
    } catch (NotLeaderException e) {
      sim.clients().notLeader(opId, e.leaderHint().orElse(null), id + ": " + e);
      return;
    }
    readsRegistered.put(opId, query);
    drain();
  }

  @Override
  public String unpersisted(RaftMessage m) {
    return durable.unpersisted(m, store.loadHardState().currentTerm(), snapshotIndex());
  }

  @Override
  public boolean holdsDurably(long index, long term) {
    return durable.holds(store, index, term, snapshotIndex());
  }

  private long snapshotIndex() {
    return snapshot == null ? 0 : snapshot.meta().lastIncludedIndex();
  }

  /** The disk finished the oldest outstanding sync: release what waited on it. */
  void syncCompleted(int forIncarnation) {
    if (forIncarnation != incarnation || awaitingSync.isEmpty()) {
      return;
    }
    store.sync();
    durable.synced(store);
    sim.invariants().synced(id, store.loadHardState().currentTerm());
    Ready r = awaitingSync.poll();
    if (sim.sabotage() != Sabotage.ACK_BEFORE_SYNC) {
      r.sendAfterSync().forEach(sim::send);
    }
    core.advance(r);
    drain();
  }

  /** Time at which the last sync asked for completes, to keep syncs in order. */
  long lastSyncAt() {
    return lastSyncAt;
  }

  void syncScheduledAt(long time) {
    lastSyncAt = time;
  }

  /** Carries out every Ready the core has. */
  private void drain() {
    while (core.hasReady()) {
      Ready r = core.ready();
      persist(r);
      r.sendNow().forEach(sim::send);
      if (sim.sabotage() == Sabotage.ACK_BEFORE_SYNC) {
        r.sendAfterSync().forEach(sim::send);
      }
      for (LogEntry e : r.committedEntries()) {
        apply(e);
      }
      if (!r.committedEntries().isEmpty()) {
        core.appliedTo(r.committedEntries().get(r.committedEntries().size() - 1).index());
      }
      for (ReadState rs : r.readsReady()) {
        Bytes query = readsRegistered.remove(rs.requestId());
        if (query != null) {
          readsWaiting.add(new PendingRead(rs.requestId(), query, rs.readIndex()));
        }
      }
      for (long opId : r.readsAborted()) {
        if (readsRegistered.remove(opId) != null) {
          sim.clients().notLeader(opId, core.leader(), id + ": read aborted");
        }
      }
      if (r.mustSync() || !awaitingSync.isEmpty()) {
        awaitingSync.add(r);
        sim.scheduleSync(this);
      } else {
        // Nothing to write, and every earlier Ready is durable: what sendAfterSync promises holds.
        if (sim.sabotage() != Sabotage.ACK_BEFORE_SYNC) {
          r.sendAfterSync().forEach(sim::send);
        }
        core.advance(r);
      }
    }
    answerReads();
    if (!pendingWrites.isEmpty() && (core.role() != Role.LEADER || core.term() != proposalTerm)) {
      failPendingAsUnknown(); // leadership lost: the proposals may or may not commit
    }
  }

  private void persist(Ready r) {
    Snapshot installed = r.snapshotToInstall();
    if (installed != null) {
      // Figure 13: discard the entire log, reset the state machine using the snapshot.
      SnapshotMeta meta = installed.meta();
      store.truncatePrefix(meta.lastIncludedIndex(), meta.lastIncludedTerm());
      durable.truncated(store);
      snapshot = installed;
      stateMachine = restored(installed.data());
      applied = meta.lastIncludedIndex();
      sim.invariants().restored(id, applied);
    }
    List<LogEntry> entries = r.entriesToAppend();
    if (!entries.isEmpty()) {
      long first = entries.get(0).index();
      if (first <= store.lastIndex()) {
        sim.invariants().truncating(id, core.role(), core.term(), first, store.lastIndex());
        store.truncateSuffix(first);
        durable.truncated(store);
      }
      long previousTerm = store.term(first - 1);
      store.append(entries);
      sim.invariants().written(id, entries, previousTerm);
    }
    // After the entries, as the runtime does: the commit index it carries may name them.
    if (r.hardState() != null) {
      store.saveHardState(r.hardState());
    }
  }

  private void apply(LogEntry e) {
    sim.invariants().applied(id, e);
    if (e.index() != applied + 1) {
      throw new IllegalStateException(id + " was handed entry " + e.index() + " to apply after " + applied);
    }
    applied = e.index();
    Bytes result = null;
    if (e.kind() == EntryKind.COMMAND) {
      result = stateMachine.apply(e.index(), e.payload()); // reports the operation it carries
    }
    if (change != null && e.index() == change.index()) {
      changeOutcome.accept("membership change at index " + e.index() + (e.term() == change.term()
          ? " committed: " + core.configAt(e.index()) : " overwritten"), e.term() == change.term());
      change = null;
    }
    if (probe != null && e.index() == probe.index()) {
      if (e.term() == probe.term()) {
        sim.probeCommitted();
      }
      probe = null;
    }
    PendingWrite w = pendingWrites.remove(e.index());
    if (w != null) {
      if (e.term() == w.term()) {
        sim.clients().completed(w.opId(), result);
      } else {
        sim.clients().failed(w.opId()); // another entry won this index: the proposal is lost
      }
    }
  }

  private void answerReads() {
    for (Iterator<PendingRead> it = readsWaiting.iterator(); it.hasNext(); ) {
      PendingRead r = it.next();
      if (applied >= r.readIndex()) {
        it.remove();
        sim.clients().completed(r.opId(), stateMachine.query(r.query()));
      }
    }
  }

  private TrackedStateMachine newStateMachine() {
    return new TrackedStateMachine(sim, id, sim.newStateMachine(), false);
  }

  /** A fresh state machine holding {@code data}, a snapshot {@link #capture()} wrote. */
  private TrackedStateMachine restored(Bytes data) {
    TrackedStateMachine restored = newStateMachine();
    try {
      restored.restoreSnapshot(new ByteArrayInputStream(data.toByteArray()));
    } catch (IOException e) {
      throw new UncheckedIOException(id + " cannot restore its own snapshot", e);
    }
    return restored;
  }

  /** The state machine's snapshot, written at once (a bare core has no snapshot thread). */
  private Bytes capture() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      stateMachine.captureSnapshot().writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(id + " cannot write a snapshot to memory", e);
    }
    return Bytes.wrap(out.toByteArray());
  }

  private void failPendingAsUnknown() {
    for (PendingWrite w : pendingWrites.values()) {
      sim.clients().unknown(w.opId());
    }
    pendingWrites.clear();
  }
}
