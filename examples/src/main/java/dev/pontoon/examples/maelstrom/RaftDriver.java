package dev.pontoon.examples.maelstrom;

import dev.pontoon.examples.kv.KvStateMachine;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.engine.core.Proposal;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.core.ReadState;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.message.RaftMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Drives one {@link RaftCore} in the calling thread, the way the core is meant to be embedded:
 * every input ({@link #tick()}, {@link #step}, {@link #propose}, {@link #read}) is followed by
 * {@link #process()}, which carries out each {@link Ready} in order (persist to an in-memory
 * store, send, apply to a {@link KvStateMachine}, answer reads) and advances the core.
 *
 * <p>Maelstrom nodes keep their state in memory (a crashed node is a new node), so the store
 * is an {@link InMemoryLogStore} and sync is trivial.
 *
 * <p><b>Bootstrap.</b> Every node starts in term 1 having voted for the first node, with the
 * core's bootstrap entry (index 1, term 1, the configuration) in its log, and the first node is
 * leader of term 1 at once; the first command gets index 2. This is safe (see
 * {@link RaftCore#bootstrapAsLeader()}): the first node holds every vote of term 1, so no other
 * node can win it (Election Safety, §5.2), and every log starts with the identical entry (Log
 * Matching, §5.3). A Maelstrom node bootstraps once: it keeps its state in memory, so it never
 * restarts with that state.
 *
 * <p><b>Threading.</b> Not thread-safe: one thread makes every call.
 */
final class RaftDriver {
  /** How an operation ends: with the state machine's result, or with a failure. */
  interface Completion {
    void completed(Bytes result);

    void failed(String reason);
  }

  private record PendingWrite(long term, Completion completion) {}

  private record PendingRead(long requestId, Bytes query, Completion completion) {}

  private final RaftCore core;
  private final InMemoryLogStore store = new InMemoryLogStore();
  private final KvStateMachine machine = new KvStateMachine();
  private final Consumer<RaftMessage> send;
  private final Map<Long, PendingWrite> writes = new HashMap<>();
  private final Map<Long, PendingRead> reads = new HashMap<>();
  private final List<ReadState> readsWaitingForApply = new ArrayList<>();
  private long lastApplied;
  private long nextReadId = 1;

  RaftDriver(NodeId self, List<NodeId> members, RaftConfig raftConfig, long seed, Consumer<RaftMessage> send) {
    this.send = send;
    NodeId first = members.get(0);
    ClusterConfig config = ClusterConfig.ofVoters(new TreeSet<>(members));
    // What every member of a bootstrapped cluster writes durably before its first start.
    store.append(List.of(RaftCore.bootstrapEntry(config)));
    store.saveHardState(new HardState(1, first));
    store.sync();
    core = new RaftCore(self, config, raftConfig, store, store.loadHardState(), 0, new SplittableRandom(seed));
    if (self.equals(first)) {
      core.bootstrapAsLeader();
    }
    process();
  }

  NodeId leader() {
    return core.leader();
  }

  void tick() {
    core.tick();
    process();
  }

  void step(RaftMessage message) {
    core.step(message);
    process();
  }

  /**
   * Appends {@code command} to the leader's log; {@code completion} hears once it is applied
   * (or known lost).
   *
   * @return the index at which it was appended
   * @throws NotLeaderException when this node is not the leader
   */
  long propose(Bytes command, Completion completion) {
    Proposal proposal = core.propose(command);
    writes.put(proposal.index(), new PendingWrite(proposal.term(), completion));
    process();
    return proposal.index();
  }

  /**
   * A linearizable read (ReadIndex, thesis §6.4): answered once a quorum confirmed leadership and
   * the state machine caught up with the read index.
   *
   * @throws NotLeaderException when this node is not the leader
   */
  void read(Bytes query, Completion completion) {
    long id = nextReadId++;
    core.readIndex(id);
    reads.put(id, new PendingRead(id, query, completion));
    process();
  }

  /** Carries out every pending {@link Ready}, in order. */
  void process() {
    while (core.hasReady()) {
      Ready ready = core.ready();
      persist(ready);
      ready.sendNow().forEach(send);
      // The in-memory store is durable as soon as written, so acks may leave now (Figure 2).
      ready.sendAfterSync().forEach(send);
      for (LogEntry entry : ready.committedEntries()) {
        apply(entry);
      }
      if (!ready.committedEntries().isEmpty()) {
        // Frees the core's applying budget (RaftConfig.maxApplyingBytes), or it stops handing out.
        core.appliedTo(ready.committedEntries().get(ready.committedEntries().size() - 1).index());
      }
      readsWaitingForApply.addAll(ready.readsReady());
      for (Long aborted : ready.readsAborted()) {
        PendingRead read = reads.remove(aborted);
        if (read != null) {
          read.completion.failed("leadership lost before the read was confirmed");
        }
      }
      answerReads();
      core.advance(ready);
    }
  }

  private void persist(Ready ready) {
    if (ready.snapshotToInstall() != null) {
      try {
        machine.restoreSnapshot(new ByteArrayInputStream(ready.snapshotToInstall().data().toByteArray()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot install snapshot", e);
      }
      lastApplied = Math.max(lastApplied, ready.snapshotToInstall().meta().lastIncludedIndex());
    }
    ready.writeLogTo(store);
    if (ready.mustSync()) {
      store.sync();
    }
  }

  private void apply(LogEntry entry) {
    Bytes result = entry.kind() == EntryKind.COMMAND ? machine.apply(entry.index(), entry.payload()) : Bytes.EMPTY;
    lastApplied = entry.index();
    PendingWrite write = writes.remove(entry.index());
    if (write != null) {
      // The proposal committed only if the entry at its index has its term (Proposal's contract).
      if (write.term == entry.term()) {
        write.completion.completed(result);
      } else {
        write.completion.failed("the entry was overwritten by a new leader; it was not applied");
      }
    }
  }

  private void answerReads() {
    for (Iterator<ReadState> it = readsWaitingForApply.iterator(); it.hasNext();) {
      ReadState state = it.next();
      if (state.readIndex() <= lastApplied) {
        it.remove();
        PendingRead read = reads.remove(state.requestId());
        if (read != null) {
          read.completion.completed(machine.query(read.query));
        }
      }
    }
  }
}
