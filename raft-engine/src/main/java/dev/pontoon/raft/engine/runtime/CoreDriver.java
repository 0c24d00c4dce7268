package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.ReadTimeoutException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.CoreStatus;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.core.ReadState;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.storage.LogReader;
import dev.pontoon.raft.transport.Transport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loop's side of a node: owns the {@link RaftCore} and turns ticks, inbound messages
 * and client requests into core calls, then carries out each {@link Ready} as its Javadoc
 * requires.
 *
 * <p><b>Threading.</b> Every method runs on the event-loop thread, except {@link #failAll},
 * which runs once the loop has stopped. No field needs a lock; the pending proposals and reads
 * are shared with the apply thread and are concurrent.
 */
final class CoreDriver {

  private static final Logger LOG = LoggerFactory.getLogger(CoreDriver.class);

  /* implementation notes
   *
   * Order of a Ready (see its Javadoc): sendNow leaves at once, in parallel with the write
   * (§10.2.1 of the thesis: a leader may write its log in parallel with replicating it, and
   * counts itself only once durable, i.e. after advance). A leader's writes go to the sync
   * worker; any other role writes on the loop (writesOnLoop), but only while the worker has
   * nothing queued and every Ready it carried has been advanced. A Ready produced while earlier
   * writes are still with the worker follows them, even one that writes nothing, so that its
   * sendAfterSync (for example an ack naming a match index those writes hold) never overtakes
   * them and advance stays in order.
   * Committed entries and reads go to the apply thread right away: they are committed on a
   * quorum, so applying them does not wait for this node's own copy.
   *
   * Readys that write nothing (heartbeats, a commit-index hint, acks) and come while writes are
   * with the worker are merged on the loop into one held Ready rather than queued one per batch:
   * while the worker is slow, or its sync hangs, they would otherwise pile up there without bound.
   * Advancing such a Ready only records its hard state, so the merged one (the latest hard state,
   * the messages in order) has the effect of advancing each in turn. It keeps their place: it goes
   * to the worker just before the next Ready that writes, or is carried out here once every
   * earlier Ready is advanced (durable). The merge keeps only the newest answer (AppendEntries,
   * vote) per peer and kind: a deposed leader whose sync hangs still answers each heartbeat of the
   * new leader, and would otherwise hold one answer per heartbeat for as long as the disk hangs.
   * Dropping a superseded answer is a lost message, which Raft tolerates (see supersedes).
   *
   * A leader's entries with the worker and not yet advanced are counted (entries and command
   * bytes) and published to PendingProposals, which refuses new commands while they exceed the
   * back-pressure bounds (see PendingProposals.unsynced): followers may commit, and so answer,
   * writes the leader's own disk has not taken, which frees their pending room.
   */

  private final NodeRuntime runtime;
  private final NodeId id;
  private final RaftCore core;
  private final Transport transport;
  private final NodeMetrics metrics;
  private final NodeScheduler scheduler;
  private final PendingProposals proposals;
  private final PendingReads reads;
  private final SyncWorker sync;
  private final ApplyWorker apply;
  private final SnapshotSender snapshotSender;
  private final SnapshotReceiver snapshotReceiver;
  private final long logRetainEntries;
  private final LeaderLease lease;
  private final MalformedMessages malformed;
  private final boolean leaseReads;
  private final boolean leaderWritesOnLoop;
  private final long proposalTimeoutNanos;
  private final Proposer proposer;
  private final long readTimeoutNanos;
  private final int transferTimeoutTicks;
  private final List<Transfer> transfers = new ArrayList<>();
  /** The snapshot receiver's answers waiting for their term to be durable, in arrival order (see answerPiece). */
  private final ArrayDeque<InstallSnapshotResponse> heldAnswers = new ArrayDeque<>();
  private final MembershipChanges membership;
  /** The configuration last told to the transport (and to the metrics), or null. */
  private ClusterConfig reportedConfig;

  /** The core's status as last published. */
  private CoreStatus last;
  /** The status {@link #observe} last compared against: role and leader changes are seen against it. */
  private CoreStatus observed;
  private int syncsInFlight;
  /** Entries, and their command bytes, in the Readys of syncsInFlight (see the implementation notes). */
  private long unsyncedEntries;
  private long unsyncedBytes;
  /** What {@link PendingProposals#unsynced} was last told: it is told again only on a change. */
  private long publishedEntries;
  private long publishedBytes;
  /**
   * The Readys held behind the worker's writes, merged (see the implementation notes): their
   * latest hard state, or null, and their sendAfterSync messages in order; null while none is held.
   */
  private HardState heldHardState;
  private List<RaftMessage> heldMessages;
  private long handedOutCommit;
  private long ticks;
  private long termWithOwnCommit = -1;
  /** A term in which a leadership transfer was requested: no lease reads in it (see canReadOnLease). */
  private long termWithTransfer = -1;

  private record Transfer(NodeId target, CompletableFuture<Void> future, long deadlineTick) {}

  CoreDriver(NodeRuntime runtime, RaftCore core, NodeOptions options, NodeMetrics metrics,
      PendingProposals proposals, PendingReads reads, SyncWorker sync, ApplyWorker apply,
      SnapshotSender snapshotSender, SnapshotReceiver snapshotReceiver, long appliedIndex) {
    this.runtime = runtime;
    this.id = options.id();
    this.core = core;
    this.transport = options.transport();
    this.metrics = metrics;
    this.scheduler = options.scheduler();
    this.proposals = proposals;
    this.reads = reads;
    this.sync = sync;
    this.apply = apply;
    this.snapshotSender = snapshotSender;
    this.snapshotReceiver = snapshotReceiver;
    this.logRetainEntries = options.snapshotPolicy().logRetainEntries();
    this.leaseReads = options.leaseReads();
    this.leaderWritesOnLoop = options.leaderWritesOnEventLoop();
    this.lease = new LeaderLease(id, options.leaseNanos());
    this.malformed = new MalformedMessages(id, () -> metrics.dropped("malformed"));
    this.proposalTimeoutNanos = options.proposalTimeout().toNanos();
    this.readTimeoutNanos = options.readTimeout().toNanos();
    this.transferTimeoutTicks = options.raftConfig().electionTimeoutMaxTicks();
    this.handedOutCommit = appliedIndex;
    this.proposer = new Proposer(runtime, core, proposals, metrics, scheduler, proposalTimeoutNanos,
        new ProposalLinger(options.proposalLinger().toNanos()));
    this.membership = new MembershipChanges(id, core, options.promotionLagEntries(),
        options.promotionTimeout().toNanos(), proposalTimeoutNanos, metrics.membershipChanges::increment);
    this.last = core.status();
    this.observed = last;
    runtime.publish(last);
    if (last.role() == Role.LEADER) {
      // A bootstrap leader leads from its first moment, with no election for observe to see.
      lease.reset(last.term());
      last.config().members().stream().filter(m -> !m.equals(id)).forEach(p -> metrics.trackPeer(p, runtime));
    }
  }

  RaftCore core() {
    return core;
  }

  void tick() {
    if (runtime.isStopping()) {
      return;
    }
    core.tick();
    ticks++;
    if (core.role() == Role.LEADER) {
      snapshotSender.tick();
    }
    long now = scheduler.nanoTime();
    proposals.expire(now, p -> new IndeterminateStateException(
        "proposal at index " + p.index + " not committed within the proposal timeout; it may still commit"));
    reads.expire(now, r -> new ReadTimeoutException(id + ": read not answered within the read timeout ("
        + Duration.ofNanos(readTimeoutNanos) + "); it changed nothing and may be retried"));
    for (Transfer t : removeTransfers(t -> ticks >= t.deadlineTick())) {
      t.future().completeExceptionally(new IndeterminateStateException("leadership transfer to " + t.target()
          + " did not complete within " + transferTimeoutTicks + " ticks"));
    }
    membership.check(now);
  }

  /** See {@code RaftNode.changeMembership}. */
  void changeMembership(List<MemberChange> changes, CompletableFuture<ClusterConfig> future) {
    if (runtime.isStopping()) {
      future.completeExceptionally(runtime.stoppedException());
      return;
    }
    membership.start(changes, future, scheduler.nanoTime());
  }

  /** Takes the transfers matching {@code done} out of the list, to be answered after the iteration. */
  private List<Transfer> removeTransfers(Predicate<Transfer> done) {
    List<Transfer> removed = new ArrayList<>();
    for (Iterator<Transfer> it = transfers.iterator(); it.hasNext();) {
      Transfer t = it.next();
      if (done.test(t)) {
        it.remove();
        removed.add(t);
      }
    }
    return removed;
  }

  /** A peer's {@code message} of {@code size} estimated bytes (measured once, on arrival) arrived. */
  void receive(RaftMessage message, long size) {
    if (runtime.isStopping()) {
      return;
    }
    metrics.received(size);
    try {
      if (message instanceof InstallSnapshot piece) {
        receivePiece(piece);
        return;
      }
      core.step(message);
      if (message instanceof InstallSnapshotResponse r && core.role() == Role.LEADER && r.term() == core.term()) {
        snapshotSender.answered(r);
      }
    } catch (RuntimeException e) {
      if (MalformedMessages.isLocalFailure(e)) {
        throw e; // a broken local invariant or a failing store: fatal (RaftCore's class Javadoc)
      }
      // Bad input from a peer costs that message only: it is dropped, the node goes on.
      malformed.drop(message, e);
      return;
    }
    // Only an acknowledgement the core accepted may extend the lease (thesis §6.4.1): a refused
    // one proves nothing about what that follower will do.
    if (leaseReads && message instanceof AppendEntriesResponse response) {
      lease.onResponse(response);
    }
  }

  /**
   * A piece of a streamed snapshot. The core sees it without its bytes, as a piece (§5.1 term
   * rules, the leader's liveness); only a piece the core accepted from the leader it follows, in
   * its term, goes to the receiver, which stores the bytes and, once the whole is checked, steps
   * it in through {@link #receiveWholeSnapshot}.
   */
  private void receivePiece(InstallSnapshot piece) {
    core.step(new InstallSnapshot(piece.from(), piece.to(), piece.term(), piece.lastIncludedIndex(),
        piece.lastIncludedTerm(), piece.config(), piece.offset(), Bytes.EMPTY, false));
    if (core.role() == Role.FOLLOWER && core.term() == piece.term() && piece.from().equals(core.leader())) {
      snapshotReceiver.offer(piece);
    }
  }

  /** The receiver stored and checked a whole snapshot: the core installs it (Figure 13 steps 5-8). */
  void receiveWholeSnapshot(InstallSnapshot whole) {
    if (runtime.isStopping()) {
      return;
    }
    try {
      core.step(whole);
    } catch (RuntimeException e) {
      if (MalformedMessages.isLocalFailure(e)) {
        throw e;
      }
      malformed.drop(whole, e);
    }
  }

  /** A message of the snapshot sender, sent from the loop. */
  void sendOwn(RaftMessage message) {
    if (!runtime.isStopping()) {
      send(message);
    }
  }

  /**
   * The snapshot receiver's answer to a piece: it leaves once its term is durable, after every
   * earlier answer.
   */
  void answerPiece(InstallSnapshotResponse answer) {
    if (runtime.isStopping()) {
      return;
    }
    // Figure 2: persistent state (currentTerm) is updated on stable storage before responding to
    // RPCs. The core keeps the rule for its own messages by holding them in its Ready; this answer
    // leaves outside the Ready, and the piece it answers may have made the core adopt the leader's
    // term in a Ready still being written (behind a deposed leader's writes on the sync worker, for
    // one). So it waits here until the advance that makes its term durable (advance below).
    heldAnswers.add(answer);
    sendDurableAnswers();
  }

  /** Sends, in order, the held answers whose term is now durable. */
  private void sendDurableAnswers() {
    while (!heldAnswers.isEmpty() && heldAnswers.peek().term() <= core.durableTerm()) {
      InstallSnapshotResponse answer = heldAnswers.poll();
      // One of a term the core has since left is dropped, not sent: it reports progress of a
      // transfer to a leader this node no longer follows (the receiver starts over for the next
      // one), and a lost answer costs nothing Raft does not retry: that leader resends the piece,
      // and the core answers it with the current term (§5.1), which deposes it.
      if (answer.term() == core.term()) {
        send(answer);
      }
    }
  }

  /** A client's command, from the loop's queue (see {@link Proposer}). */
  void propose(Bytes command, CompletableFuture<Bytes> future, long startNanos) {
    proposer.propose(command, future, startNanos);
  }

  /** A read whose room {@code read()} reserved in {@link PendingReads}, due at {@code deadlineNanos}. */
  void read(Bytes query, CompletableFuture<Bytes> future, long deadlineNanos) {
    if (runtime.isStopping()) {
      reads.release();
      future.completeExceptionally(runtime.stoppedRead());
      return;
    }
    PendingRead read = reads.register(query, future, deadlineNanos);
    if (leaseReads && canReadOnLease()) {
      // Thesis §6.4.1: within its lease the leader's commit index is current; no round needed.
      metrics.leaseReads.increment();
      apply.submit(new ApplyWorker.Read(core.commitIndex(), read));
      return;
    }
    try {
      core.readIndex(read.id());
      metrics.readIndexReads.increment();
    } catch (NotLeaderException e) {
      if (reads.leave(read)) {
        future.completeExceptionally(e);
      }
    }
  }

  void transfer(NodeId target, CompletableFuture<Void> future) {
    if (runtime.isStopping()) {
      future.completeExceptionally(runtime.stoppedException());
      return;
    }
    if (target.equals(core.leader())) {
      future.complete(null);
      return;
    }
    try {
      core.transferLeadership(target);
    } catch (NotLeaderException e) {
      future.completeExceptionally(e);
      return;
    } catch (IllegalArgumentException e) {
      future.completeExceptionally(e);
      return;
    }
    transfers.add(new Transfer(target, future, ticks + transferTimeoutTicks));
    // The core's term, not the published one: the term may have changed earlier in this batch.
    termWithTransfer = core.term();
  }

  /** The sync worker made {@code batch} durable: now its acks may leave (Ready's contract). */
  void durable(List<Ready> batch) {
    if (runtime.isStopping()) {
      return;
    }
    long durableIndex = -1;
    for (Ready ready : batch) {
      sendAll(ready.sendAfterSync());
      advance(ready);
      syncsInFlight--;
      unsyncedEntries -= ready.entriesToAppend().size();
      unsyncedBytes -= commandBytes(ready);
      long end = durableEnd(ready);
      if (end >= 0) {
        // The latest Ready decides, even downwards: a snapshot may have replaced a longer log.
        durableIndex = end;
      }
    }
    if (durableIndex >= 0) {
      runtime.logDurableTo(durableIndex);
    }
    if (syncsInFlight == 0 && heldMessages != null) {
      // Every Ready before the held ones is advanced: carry them out here, as handle would have.
      Ready held = takeHeld();
      if (held.hardState() != null) {
        sync.saveCommitHint(held.hardState());
      }
      sendAll(held.sendAfterSync());
      advance(held);
    }
  }

  /** {@code ready} was carried out: the core learns it, and the answers its term held back may leave. */
  private void advance(Ready ready) {
    core.advance(ready);
    sendDurableAnswers();
  }

  /**
   * Where {@code ready}'s writes end the durable log, or -1 if they do not change its end. A
   * snapshot installed discards the log (all of it on a conflict): count only up to it; appended
   * entries end the durable log exactly (a conflicting suffix was cut before them).
   */
  private static long durableEnd(Ready ready) {
    List<LogEntry> appended = ready.entriesToAppend();
    if (!appended.isEmpty()) {
      return appended.get(appended.size() - 1).index();
    }
    return ready.snapshotToInstall() != null ? ready.snapshotToInstall().meta().lastIncludedIndex() : -1;
  }

  /** After each batch of loop tasks: carry out what the core produced, then publish status. */
  void afterBatch() {
    proposer.beforeReady();
    while (!runtime.isStopping() && core.hasReady()) {
      Ready ready = core.ready();
      // Published before anything of the Ready leaves or completes: a message sent, a future
      // answered or an entry applied may be seen by a caller at once, and the status it then reads
      // must be at least as new (an answer naming its leader, a read failed as NotLeader, a
      // lastApplied never above commitIndex). An unchanged status costs nothing: status(last).
      publish();
      handle(ready);
    }
    publishUnsynced();
    publish();
    reportConfiguration();
    // Before observe: a leader that removed itself steps down in the very step that commits the
    // change, which is then a success, not a lost leadership.
    membership.check(scheduler.nanoTime());
    observe(observed, last);
    observed = last;
  }

  /**
   * Tells the transport the configuration in force whenever it changes (it takes effect when
   * appended, so it may also change back after a truncation), and tracks new peers' lag. Also
   * the first task of the loop once the transport started, so that it learns the configuration
   * the node starts with.
   */
  void reportConfiguration() {
    ClusterConfig config = core.config();
    if (config == null || config.equals(reportedConfig)) {
      return;
    }
    reportedConfig = config;
    config.members().stream().filter(m -> !m.equals(id)).forEach(p -> metrics.trackPeer(p, runtime));
    try {
      transport.configurationChanged(config);
    } catch (RuntimeException e) {
      LOG.warn("{}: transport threw on configurationChanged({})", id, config, e);
    }
  }

  private void handle(Ready ready) {
    sendAll(ready.sendNow());
    boolean writes = ready.mustSync();
    if (syncsInFlight == 0 && sync.isIdle() && writesOnLoop()) {
      // Nothing queued for the sync worker and every earlier Ready advanced: writing here keeps
      // the store's writes and the core's advances in production order (SyncWorker's Javadoc).
      if (writes) {
        sync.persistHere(ready);
      } else if (ready.hardState() != null) {
        sync.saveCommitHintHere(ready.hardState());
      }
      sendAll(ready.sendAfterSync());
      advance(ready);
      long durableIndex = durableEnd(ready);
      if (durableIndex >= 0) {
        runtime.logDurableTo(durableIndex);
      }
    } else if (writes) {
      if (heldMessages != null) {
        handOver(takeHeld()); // the held Readys came before this one: they go first
      }
      handOver(ready);
    } else if (syncsInFlight > 0) {
      hold(ready);
    } else {
      if (ready.hardState() != null) {
        // Only the commit index changed (a term or vote change sets mustSync): a hint that needs
        // no sync before anything leaves, so it is only queued, behind every earlier write, for the
        // sync worker to save; it becomes durable with the next sync that happens anyway.
        sync.saveCommitHint(ready.hardState());
      }
      sendAll(ready.sendAfterSync());
      advance(ready);
    }
    if (ready.snapshotToInstall() != null) {
      apply.submit(new ApplyWorker.Restore(ready.snapshotToInstall()));
    }
    List<LogEntry> committed = ready.committedEntries();
    if (!committed.isEmpty()) {
      handedOutCommit = committed.get(committed.size() - 1).index();
      apply.submit(new ApplyWorker.Entries(committed));
    }
    List<ReadState> readsReady = ready.readsReady();
    for (int i = 0; i < readsReady.size(); i++) {
      ReadState rs = readsReady.get(i);
      PendingRead read = reads.get(rs.requestId());
      if (read == null) {
        continue;
      }
      if (read.future().isDone()) {
        // Timed out while its leadership was being confirmed: nothing left to answer.
        reads.leave(read);
      } else {
        apply.submit(new ApplyWorker.Read(rs.readIndex(), read));
      }
    }
    List<Long> readsAborted = ready.readsAborted();
    for (int i = 0; i < readsAborted.size(); i++) {
      PendingRead read = reads.get(readsAborted.get(i));
      if (read != null && reads.leave(read)) {
        read.future().completeExceptionally(notLeader());
      }
    }
  }

  /** Queues {@code ready} for the sync worker, counting what it writes until it is advanced. */
  private void handOver(Ready ready) {
    syncsInFlight++;
    unsyncedEntries += ready.entriesToAppend().size();
    unsyncedBytes += commandBytes(ready);
    sync.submit(ready);
  }

  /** Merges a Ready that writes nothing into the held one (see the implementation notes). */
  private void hold(Ready ready) {
    if (heldMessages == null) {
      heldMessages = new ArrayList<>();
    }
    if (ready.hardState() != null) {
      heldHardState = ready.hardState();
    }
    for (RaftMessage m : ready.sendAfterSync()) {
      // Raft tolerates a lost message, so dropping one is always safe: only sending one before
      // what it depends on is durable is not (Figure 2), and nothing here leaves earlier. An answer
      // a later one supersedes is dropped; the later one keeps its own place, after the earlier.
      if (m instanceof AppendEntriesResponse || m instanceof RequestVoteResponse) {
        heldMessages.removeIf(earlier -> supersedes(m, earlier));
      }
      heldMessages.add(m);
    }
  }

  /**
   * Whether the held answer {@code later} makes the held {@code earlier} redundant: the same kind
   * of answer to the same peer in the same term (a term change writes, which ends the hold, so
   * held messages share one term anyway). An AppendEntries answer speaks for the follower's log
   * as it is now, and echoes a later sequence, which confirms every read the earlier one would
   * (thesis §6.4: a sequence at or after the read's); a leader whose progress it leaves behind
   * resends (§5.3). A vote answer of the same term and kind says again what the node decided.
   */
  private static boolean supersedes(RaftMessage later, RaftMessage earlier) {
    if (!later.to().equals(earlier.to()) || later.term() != earlier.term()) {
      return false;
    }
    if (later instanceof RequestVoteResponse vote) {
      return earlier instanceof RequestVoteResponse e && e.preVote() == vote.preVote();
    }
    return later instanceof AppendEntriesResponse && earlier instanceof AppendEntriesResponse;
  }

  /** How many messages the held Readys hold; loop only (for tests). */
  int heldMessageCount() {
    return heldMessages == null ? 0 : heldMessages.size();
  }

  /** The held Readys as one, which is no longer held. */
  private Ready takeHeld() {
    Ready merged = new Ready(heldHardState, List.of(), null, false, List.of(), heldMessages, List.of(), List.of(),
        List.of());
    heldHardState = null;
    heldMessages = null;
    return merged;
  }

  /**
   * Tells {@link PendingProposals} what of a leader's log its own disk has not taken yet; once per
   * batch, and only on a change (0 while this node does not lead: it has no write to refuse).
   */
  private void publishUnsynced() {
    boolean leads = core.role() == Role.LEADER;
    long entries = leads ? unsyncedEntries : 0;
    long bytes = leads ? unsyncedBytes : 0;
    if (entries != publishedEntries || bytes != publishedBytes) {
      publishedEntries = entries;
      publishedBytes = bytes;
      proposals.unsynced(entries, bytes);
    }
  }

  /** The command bytes of the entries {@code ready} appends. */
  private static long commandBytes(Ready ready) {
    List<LogEntry> entries = ready.entriesToAppend();
    long bytes = 0;
    for (int i = 0; i < entries.size(); i++) {
      bytes += entries.get(i).payload().size();
    }
    return bytes;
  }

  /**
   * Whether this node writes its log on the loop rather than on the sync worker. A leader writes
   * on the worker, in parallel with sending the same entries to its followers (thesis §10.2.1),
   * unless told its store's sync costs next to nothing; any other role has nothing to send before
   * its write is durable (its acknowledgements and votes wait for it), so it writes here.
   */
  private boolean writesOnLoop() {
    return core.role() != Role.LEADER || leaderWritesOnLoop;
  }

  private void observe(CoreStatus before, CoreStatus now) {
    boolean wasLeader = before.role() == Role.LEADER;
    boolean sameTerm = before.term() == now.term();
    if (before.role() != now.role() || !sameTerm) {
      LOG.info("{} is {} at term {} (leader {})", id, now.role(), now.term(), now.leader());
    }
    if (wasLeader && (now.role() != Role.LEADER || !sameTerm)) {
      snapshotSender.stopAll();
      int failed = proposals.failAbove(handedOutCommit, new IndeterminateStateException(
          id + " lost leadership before commit; the command may still commit"));
      LOG.info("{} is no longer leader (term {}); {} pending proposals answered as indeterminate", id, now.term(),
          failed);
      lease.reset(-1);
    }
    if (now.role() == Role.CANDIDATE && (before.role() != Role.CANDIDATE || !sameTerm)) {
      metrics.electionsStarted.increment();
    }
    if (now.role() == Role.LEADER && (!wasLeader || !sameTerm)) {
      lease.reset(now.term());
      now.config().members().stream().filter(m -> !m.equals(id)).forEach(p -> metrics.trackPeer(p, runtime));
    }
    if (now.leader() != null && !now.leader().equals(before.leader())) {
      metrics.leaderChanges.increment();
    }
    if (!transfers.isEmpty() && now.leader() != null) {
      for (Transfer t : removeTransfers(t -> t.target().equals(now.leader()))) {
        t.future().complete(null);
      }
    }
  }

  /**
   * Thesis §6.4.1: lease reads need the lease, a commit in this term, and no transfer requested in
   * this term: the target's TimeoutNow election bypasses the followers' lease (thesis §3.10), and a
   * late TimeoutNow could elect it even after the transfer seemed abandoned.
   *
   * <p>Decided on the core's state now, never on the last published status: a message earlier
   * in this batch may have deposed this leader (§5.1) before the status was published.
   */
  private boolean canReadOnLease() {
    // The core's accessors, not status(): that builds every follower's progress, on each read.
    long term = core.term();
    if (core.role() != Role.LEADER || termWithTransfer == term) {
      return false;
    }
    if (termWithOwnCommit != term) {
      // §6.4 step 1: until an entry of its own term commits, a new leader's commit index may be stale.
      // Asked of the core's log, not the store: the entry commits on its followers' copies while
      // the leader's own write may still be on its way to the store (it is sent in parallel).
      long commit = core.commitIndex();
      LogReader view = core.logView();
      if (commit == 0 || commit < view.firstIndex() || commit > view.lastIndex() || view.term(commit) != term) {
        return false;
      }
      termWithOwnCommit = term;
    }
    return lease.isValid(term, core.config(), scheduler.nanoTime());
  }

  private void send(RaftMessage message) {
    if (message instanceof InstallSnapshot request && request.data().isEmpty() && request.done()
        && request.offset() == 0 && core.role() == Role.LEADER && request.from().equals(id)) {
      // The core asks for the snapshot it knows by its meta: the sender streams it from the store.
      snapshotSender.requested(request);
      return;
    }
    metrics.sent(message);
    if (leaseReads && message instanceof AppendEntries append) {
      lease.onSend(append, scheduler.nanoTime());
    }
    try {
      transport.send(message);
    } catch (RuntimeException e) {
      // The transport contract says send never throws; if one does, the message is lost, which Raft tolerates.
      LOG.warn("{}: transport threw on send to {}; message dropped", id, message.to(), e);
    }
  }

  private void publish() {
    CoreStatus now = Objects.requireNonNull(core.status(last), "core.status()");
    if (now != last) {
      // An unchanged status is the same object: nothing to allocate or to write to the volatile.
      last = now;
      runtime.publish(now);
    }
  }

  /**
   * Sends each message of {@code messages} in order. Indexed, on every Ready of the hot path: the
   * iterator of an immutable list was an allocation per Ready that the JIT did not always remove.
   */
  private void sendAll(List<RaftMessage> messages) {
    for (int i = 0; i < messages.size(); i++) {
      send(messages.get(i));
    }
  }

  private NotLeaderException notLeader() {
    return new NotLeaderException(id, core.leader());
  }

  /**
   * A snapshot was saved: the core may now send it to followers (§7), and the log up to it, less
   * the catch-up margin, can go. The core learns of it before the log shrinks, so it never misses
   * entries it cannot replace; it knows the snapshot by its meta only (the bytes stay in the store).
   */
  void snapshotSaved(SnapshotMeta meta) {
    if (runtime.isStopping()) {
      return;
    }
    long compactTo = Math.max(0, meta.lastIncludedIndex() - logRetainEntries);
    core.snapshotAvailable(new Snapshot(meta, Bytes.EMPTY), compactTo);
    metrics.snapshotsTaken.increment();
    if (compactTo > 0) {
      sync.compact(compactTo);
    }
  }

  /**
   * The apply thread applied every committed entry handed to it up to {@code index}: the core may
   * hand out more (its {@code maxApplyingBytes} budget bounds what waits for the apply thread).
   */
  void appliedTo(long index) {
    if (!runtime.isStopping()) {
      core.appliedTo(index);
    }
  }

  /**
   * Fails every waiting request with {@code error}, except the commands the linger still holds,
   * which never reached the core and fail as never appended, and the reads, which can never take
   * effect ({@link NodeRuntime#stoppedRead}); called once the node's threads have
   * stopped. The requests are taken out first and failed from copies, so that a callback may call
   * anything, {@code close()} included, without disturbing the iteration.
   */
  void failAll(RaftException error) {
    proposer.failHeld();
    proposals.failAll(error);
    // A read never enters the log: whatever stopped the node, it can never take effect.
    reads.failAll(runtime.stoppedRead());
    List<Transfer> pendingTransfers = new ArrayList<>(transfers);
    transfers.clear();
    for (Transfer t : pendingTransfers) {
      t.future().completeExceptionally(error);
    }
    membership.failAll(error);
  }
}
