package dev.pontoon.raft.engine.core;

import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.MembershipChangeException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.message.RequestVote;
import dev.pontoon.raft.message.RequestVoteResponse;
import dev.pontoon.raft.message.TimeoutNow;
import dev.pontoon.raft.storage.LogReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft algorithm as a pure, deterministic state machine, in the style of etcd's
 * {@code RawNode}: inputs are {@link #tick()}, {@link #step(RaftMessage)}, {@link #propose},
 * {@link #readIndex} and {@link #transferLeadership}; every effect leaves through
 * {@link #ready()} and is acknowledged with {@link #advance(Ready)}.
 *
 * <p><b>Threading.</b> Not thread-safe, by design: one thread (the runtime's event loop, or the
 * simulator) owns an instance and makes every call. There are no locks, threads, clocks, I/O or
 * unseeded randomness inside: the same inputs and seed give the same outputs.
 *
 * <p><b>Storage.</b> The core reads the durable log through {@link LogReader} and never writes
 * it: entries and hard state to persist leave in {@link Ready}.
 *
 * <p><b>Memory.</b> Committed entries leave in pieces of at most
 * {@link RaftConfig#maxCommittedBytesPerReady()}, and only while those not yet reported applied
 * with {@link #appliedTo} stay within {@link RaftConfig#maxApplyingBytes()}: a state machine that
 * falls behind holds the core back instead of growing a queue.
 *
 * <p><b>Failure.</b> A method that rejects its input throws before changing any state. A peer's
 * message that no correct peer can send is refused by {@link #step} with
 * {@link MalformedMessageException}: drop it and go on. An {@link IllegalStateException} from
 * {@link #step} or {@link #advance} means a broken local invariant (a safety bug or a corrupted
 * store), never bad peer input: the node must stop.
 *
 * <p><b>Membership.</b> The configuration in force is the latest CONFIGURATION entry in the log,
 * committed or not (thesis §4.1), else the snapshot's or the one given at construction; it is
 * rebuilt from the log at construction, follows every append and truncation, and a snapshot
 * installed from a leader. Changes are proposed with {@link #proposeConfigChange}.
 *
 * <p><b>Snapshots.</b> The core sends a snapshot as one {@link InstallSnapshot}: a leader sends
 * the one announced with {@link #snapshotAvailable} to a follower that needs compacted entries.
 * The runtime announces snapshots without their bytes and takes that message as the request to
 * stream the snapshot in pieces; a follower's runtime stages the pieces and steps the whole
 * snapshot in once it is complete and checked (see {@code Follower.handleInstallSnapshot}).
 */
public final class RaftCore {

  private static final Logger LOG = LoggerFactory.getLogger(RaftCore.class);
  /** Most payload bytes in flight to one follower in the replicate state. */
  static final long MAX_INFLIGHT_BYTES = 64L * 1024 * 1024;

  final NodeId id;
  /** The configurations the log holds; the latest is in force (thesis §4.1). */
  private final Configurations configs;
  /** The configuration given at construction (a bootstrap entry must hold exactly it), or null. */
  private final ClusterConfig initialConfig;
  /** The quorums of the configuration in force; replaced whenever it changes. */
  JointConfig quorum;
  final RaftConfig raftConfig;
  private final RandomGenerator random;
  final RaftLog log;
  private final Elections elections;
  private final Replication replication;
  private final Follower follower;

  /** Latest term this node has seen (Figure 2 {@code currentTerm}); never decreases. */
  long term;
  /** Candidate that received this node's vote in {@code term}, or null (Figure 2 {@code votedFor}). */
  NodeId votedFor;
  private Role role;
  /** The latest snapshot the runtime holds (announced, or installed from a leader), or null. */
  Snapshot latestSnapshot;
  /** Exactly one of these is non-null, matching {@code role} (PRE_CANDIDATE and CANDIDATE share one). */
  FollowerState followerState;
  CandidateState candidateState;
  LeaderState leaderState;
  /** Ticks since the last reset: election timeout on followers and candidates, CheckQuorum on a leader. */
  int electionElapsed;
  int randomizedElectionTimeout;
  /** Ticks since this core was constructed, counted up to the minimum election timeout only (see {@link #inLease()}). */
  private int ticksSinceStart;
  /**
   * Ticks since this node last heard from a leader as a follower, counted up to the minimum
   * election timeout only. Unlike {@link #electionElapsed} it survives a change of term that no
   * leader caused (see {@link #inLease()}).
   */
  int ticksSinceLeaderHeard = Integer.MAX_VALUE;

  private HardState handedOutHardState;
  /** The hard state of the last Ready the driver acknowledged durable ({@link #advance}); its term and vote are on disk. */
  private HardState durableHardState;
  private final Outbox outbox = new Outbox();

  /**
   * Creates a core as a follower in the term of {@code hardState}.
   *
   * @param id this node
   * @param config the configuration at the start of the log (the snapshot's, or the initial
   *     one), used until a CONFIGURATION entry in the log replaces it; null for a node that knows
   *     no configuration yet (started to join a cluster: it waits for a leader to replicate one)
   * @param raftConfig timing and flow-control settings
   * @param log the durable log, as recovered
   * @param hardState the durable hard state, as recovered; the core starts with its commit index,
   *     clamped to {@code [appliedIndex, log.lastIndex()]}, and hands out committed entries up to
   *     it at once
   * @param appliedIndex index up to which the state machine already holds the log (a restored
   *     snapshot's index, or 0); committed entries are handed out from the next index
   * @param random the only source of randomness (election timeouts)
   * @throws IllegalArgumentException if {@code appliedIndex} lies outside the log, or a
   *     CONFIGURATION entry in it does not decode
   */
  public RaftCore(NodeId id, ClusterConfig config, RaftConfig raftConfig, LogReader log, HardState hardState,
      long appliedIndex, RandomGenerator random) {
    this.id = Objects.requireNonNull(id, "id");
    this.raftConfig = Objects.requireNonNull(raftConfig, "raftConfig");
    this.random = Objects.requireNonNull(random, "random");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(hardState, "hardState");
    this.log = new RaftLog(log, appliedIndex, raftConfig);
    // Thesis §4.1: the latest configuration in the log is in force, committed or not: rebuilt
    // from the log at every start.
    this.initialConfig = config;
    this.configs = new Configurations(config, this.log.firstIndex() - 1);
    scanConfigurations();
    this.quorum = JointConfig.of(configs.current());
    this.term = hardState.currentTerm();
    this.votedFor = hardState.votedFor();
    // etcd's behaviour: start from the commit index saved with the hard state, so that what was
    // known committed is applied before any leader is heard from. It names committed entries the
    // log holds (HardState: never ahead of the durable log); clamped all the same, since it is
    // only a hint: never below what is applied, never past the log.
    long recoveredCommit = Math.max(appliedIndex, Math.min(hardState.commitIndex(), log.lastIndex()));
    this.log.commitTo(recoveredCommit);
    this.handedOutHardState = hardState.withCommitIndex(recoveredCommit);
    this.durableHardState = hardState;
    this.elections = new Elections(this);
    this.replication = new Replication(this);
    this.follower = new Follower(this);
    this.role = Role.FOLLOWER;
    this.followerState = new FollowerState(null);
    resetElectionTimer();
  }

  // ---------------------------------------------------------------- inputs

  /** One logical time unit has passed. */
  public void tick() {
    if (ticksSinceStart < raftConfig.electionTimeoutMinTicks()) {
      ticksSinceStart++;
    }
    if (ticksSinceLeaderHeard < raftConfig.electionTimeoutMinTicks()) {
      ticksSinceLeaderHeard++;
    }
    if (role == Role.LEADER) {
      replication.tick();
    } else {
      elections.tick();
    }
  }

  /**
   * A message from a peer arrived. Messages from other terms are handled as Raft says;
   * messages addressed to another node, or claiming to come from this one, are ignored. A
   * message from a node outside the configuration is handled like any other (thesis §4.1).
   *
   * @throws MalformedMessageException if no correct peer can send {@code message} (for example
   *     AppendEntries entries of decreasing terms, or AppendEntries of this leader's own term);
   *     thrown before any state changes, so the caller drops the message and goes on
   */
  public void step(RaftMessage message) {
    Objects.requireNonNull(message, "message");
    if (!message.to().equals(id)) {
      LOG.debug("{} ignores a message addressed to {}: {}", id, message.to(), message);
      return;
    }
    // Messages from nodes outside the configuration are handled like any other (thesis §4.1): a
    // new member hears from a leader before the entry that adds it reaches its log, and a
    // candidate may not be in a voter's configuration yet. A removed node cannot disrupt: its
    // votes are refused while a leader is alive (PreVote and the lease, see inLease).
    if (message.from().equals(id)) {
      LOG.debug("{} ignores a message from itself: {}", id, message);
      return;
    }
    // Refuse what no correct peer sends before it changes anything, even the term: one faulty
    // peer must neither stop this node nor put a log out of order.
    MessageRules.check(message);
    if (role == Role.LEADER && message.term() == term) {
      MessageRules.checkAtLeader(message, id, log.lastIndex(), leaderState.nextSequence);
    }
    if (message.term() > term) {
      if (!elections.stepHigherTerm(message)) {
        return;
      }
    } else if (message.term() < term) {
      follower.answerStaleTerm(message);
      return;
    }
    dispatch(message);
  }

  private void dispatch(RaftMessage m) {
    if (m instanceof AppendEntries ae) {
      follower.handleAppendEntries(ae);
    } else if (m instanceof AppendEntriesResponse r) {
      if (role == Role.LEADER) {
        replication.handleAppendEntriesResponse(r);
      }
    } else if (m instanceof RequestVote rv) {
      elections.handleRequestVote(rv);
    } else if (m instanceof RequestVoteResponse r) {
      elections.handleRequestVoteResponse(r);
    } else if (m instanceof InstallSnapshot s) {
      follower.handleInstallSnapshot(s);
    } else if (m instanceof InstallSnapshotResponse r) {
      if (role == Role.LEADER) {
        replication.handleInstallSnapshotResponse(r);
      }
    } else if (m instanceof TimeoutNow t) {
      elections.handleTimeoutNow(t);
    } else {
      throw new IllegalArgumentException("unknown message type " + m.getClass().getName());
    }
  }

  /**
   * Appends {@code command} to the leader's log.
   *
   * <p>The append is the last step that can fail: everything that can throw (the refusal, the
   * read of the log's last index, the checks of the append) comes before the entry enters the
   * log, so when this throws the log is unchanged, unless what it throws is a
   * {@link VirtualMachineError}, which may strike anywhere. The runtime tells a caller so
   * ({@code NodeStoppedException.notAppended}).
   *
   * @throws NotLeaderException if this node is not the leader (or is transferring leadership)
   */
  public Proposal propose(Bytes command) {
    Objects.requireNonNull(command, "command");
    if (role != Role.LEADER) {
      throw new NotLeaderException(id, leader());
    }
    if (leaderState.transferee != null) {
      // Thesis §3.10: the leader stops accepting new client requests during a transfer.
      throw new NotLeaderException(id, leaderState.transferee);
    }
    LogEntry entry = LogEntry.command(log.lastIndex() + 1, term, command);
    replication.appendLocal(entry);
    return new Proposal(entry.index(), entry.term());
  }

  /**
   * Proposes a membership change (thesis §4.1-§4.3; see {@link MembershipChange} for why a
   * change of one voter takes the fast path and any other a joint configuration). The new
   * configuration takes effect here at once, when its entry is appended; a joint one is left
   * automatically (the leader appends C<sub>new</sub>) once it commits. A leader that is no voter
   * of the configuration once that commits hands leadership to the most up-to-date voter
   * (TimeoutNow, thesis §3.10) and steps down (thesis §4.2.2).
   *
   * <p>{@link MemberChange.AddVoter} adds a voter at once here; catching it up as a learner
   * first is the caller's part (the runtime does it).
   *
   * @return the proposal of the CONFIGURATION entry (for a joint change, of the joint entry)
   * @throws NotLeaderException if this node is not the leader (or is transferring leadership)
   * @throws MembershipChangeException with {@code CHANGE_IN_PROGRESS} when a change is in flight
   *     (see {@link #configChangeInFlight()}) or this leader has not yet committed an entry of
   *     its own term (the fix of the thesis' single-server bug), or another reason when the
   *     change does not fit the configuration; nothing was appended
   */
  public Proposal proposeConfigChange(List<MemberChange> changes) {
    Objects.requireNonNull(changes, "changes");
    if (role != Role.LEADER) {
      throw new NotLeaderException(id, leader());
    }
    if (leaderState.transferee != null) {
      throw new NotLeaderException(id, leaderState.transferee);
    }
    if (!leaderState.committedInTerm) {
      throw new MembershipChangeException(MembershipChangeException.Reason.CHANGE_IN_PROGRESS, id
          + " has not yet committed an entry of its term " + term + "; a change must wait for it (thesis §4.1)");
    }
    if (configChangeInFlight()) {
      throw new MembershipChangeException(MembershipChangeException.Reason.CHANGE_IN_PROGRESS,
          "the change to " + config() + " at index " + configs.currentIndex() + " is still in flight");
    }
    ClusterConfig next = MembershipChange.next(config(), changes);
    LogEntry entry = new LogEntry(log.lastIndex() + 1, term, EntryKind.CONFIGURATION, next.toBytes());
    replication.appendLocal(entry);
    LOG.info("{} proposes configuration {} at index {} (term {})", id, next, entry.index(), term);
    return new Proposal(entry.index(), entry.term());
  }

  /**
   * The configuration {@code changes} would lead to from the one in force, checked as
   * {@link #proposeConfigChange} checks it but without appending anything (and treating
   * {@link MemberChange.AddVoter} as a voter added at once).
   *
   * @throws MembershipChangeException as {@link #proposeConfigChange} would for the change itself
   */
  public ClusterConfig previewConfigChange(List<MemberChange> changes) {
    Objects.requireNonNull(changes, "changes");
    ClusterConfig current = config();
    if (current == null) {
      throw new MembershipChangeException(MembershipChangeException.Reason.INVALID_CHANGE,
          id + " knows no configuration yet");
    }
    return MembershipChange.next(current, changes);
  }

  /**
   * Registers a linearizable read with id {@code requestId}; it appears in
   * {@link Ready#readsReady()} once confirmed by a quorum, or in {@link Ready#readsAborted()}.
   *
   * @throws NotLeaderException if this node is not the leader
   */
  public void readIndex(long requestId) {
    if (role != Role.LEADER) {
      throw new NotLeaderException(id, leader());
    }
    replication.registerRead(requestId);
  }

  /**
   * Starts handing leadership to {@code target} (thesis §3.10): proposals are refused from now
   * on; once the target's log is up to date it is told to campaign at once. The transfer is
   * abandoned after an election timeout.
   *
   * @throws NotLeaderException if this node is not the leader
   * @throws IllegalArgumentException if {@code target} is not a voter
   */
  public void transferLeadership(NodeId target) {
    Objects.requireNonNull(target, "target");
    if (role != Role.LEADER) {
      throw new NotLeaderException(id, leader());
    }
    if (!quorum.contains(target)) {
      throw new IllegalArgumentException("cannot transfer leadership to " + target + ": not a voter of " + config());
    }
    replication.transferLeadership(target);
  }

  /** Starts an election now, as if the election timeout had elapsed (PreVote first if enabled). A leader ignores it. */
  public void campaign() {
    if (role == Role.LEADER) {
      LOG.debug("{} is already leader at term {}; campaign ignored", id, term);
      return;
    }
    elections.campaign(false);
  }

  /**
   * The first entry of every member's log in a cluster started with a bootstrap leader: index 1,
   * term 1, kind {@link EntryKind#CONFIGURATION}, the initial configuration's
   * {@link ClusterConfig#toBytes()}. Every member writes it, with hard state
   * {@code (1, bootstrap leader)}, before its first start (see {@link #bootstrapAsLeader()}); build
   * it only here, so that every member holds the identical entry.
   */
  public static LogEntry bootstrapEntry(ClusterConfig config) {
    Objects.requireNonNull(config, "config");
    return new LogEntry(1, 1, EntryKind.CONFIGURATION, config.toBytes());
  }

  /**
   * Makes this node leader of term 1 at once, without an election and without a no-op entry:
   * the first proposal gets index 2, after the {@link #bootstrapEntry bootstrap entry}.
   *
   * <p><b>Safety.</b> Bootstrap is a one-time durable event. The caller guarantees that every
   * voter durably stored, before its first start, {@code (currentTerm = 1, votedFor = this node)}
   * and a log holding only {@link #bootstrapEntry(ClusterConfig)} of this configuration, and that
   * it calls this method only in the very start that wrote them to a brand-new store: a restarted
   * node recovers as a follower and is elected (at term 2 or later) like any other. Then:
   * <ul>
   *   <li>this node already holds the votes of all voters for term 1, so no other node can win
   *       term 1 (Election Safety, §5.2), and it leads term 1 only once, so it never writes two
   *       different entries at one index of term 1;
   *   <li>every member holds the identical entry (1, 1) from its first start (or, if that start
   *       crashed between storing the vote and the entry, no entry, and receives it like any
   *       missing one), so Log Matching (§5.3) holds from the start, and this leader's first
   *       AppendEntries (prevLogIndex 1, prevLogTerm 1) matches on every member that has it;
   *   <li>no entry of an earlier term exists anywhere, so there is nothing a no-op would need to
   *       commit (§5.4.2): the bootstrap entry, of term 1, commits by counting replicas; and no
   *       command was committed before, so a read index of 0 is up to date (thesis §6.4).
   * </ul>
   * The core checks what it can see (term, vote, log, role). It cannot tell a first start from
   * a restart with the same state: calling this only once is the caller's part.
   *
   * @throws IllegalStateException unless {@code currentTerm == 1}, {@code votedFor} is this node,
   *     the log holds exactly the bootstrap entry of this configuration (index 1, term 1, kind
   *     CONFIGURATION, last index 1), and this node is a voter that is not yet leader
   */
  public void bootstrapAsLeader() {
    if (term != 1 || !id.equals(votedFor) || !holdsOnlyBootstrapEntry() || !quorum.contains(id)
        || role == Role.LEADER) {
      throw new IllegalStateException("bootstrapAsLeader needs term 1, a vote for self, a log holding only the "
          + "bootstrap entry (1, 1) of " + config() + " and a voter that is not yet leader; found term " + term
          + ", votedFor " + votedFor + ", log [" + log.firstIndex() + ", " + log.lastIndex() + "], role " + role);
    }
    becomeLeader(false);
  }

  private boolean holdsOnlyBootstrapEntry() {
    return log.firstIndex() == 1 && log.lastIndex() == 1
        && initialConfig != null && log.entries(1, 2, Long.MAX_VALUE).equals(List.of(bootstrapEntry(initialConfig)));
  }

  /**
   * Announces the latest snapshot the runtime holds (taken locally, or restored at start), so
   * that as leader this node can send it to a follower that needs entries the log no longer
   * holds. The core keeps a reference to it (its bytes are sent as one chunk) until a newer one
   * is announced. An older snapshot than one announced before changes nothing.
   *
   * <p><b>Compaction.</b> From this call on the core treats the log as starting at
   * {@code lastIncludedIndex + 1}: it reads nothing at or below the snapshot's index from the
   * store, and a follower that needs such an entry gets the snapshot. So the runtime may compact
   * the store up to {@code lastIncludedIndex} at any later moment, on any thread, concurrently
   * with the core's reads; it must keep the log from {@code lastIncludedIndex + 1} on, and must
   * never compact past the latest snapshot announced here (or handed out to install in a
   * {@link Ready}).
   *
   * @throws IllegalArgumentException if the snapshot covers entries not yet handed out in
   *     {@link Ready#committedEntries()} (a snapshot holds only applied state), or if the log
   *     holds another term at its last included index
   */
  public void snapshotAvailable(Snapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    snapshotAvailable(snapshot, snapshot.meta().lastIncludedIndex());
  }

  /**
   * As {@link #snapshotAvailable(Snapshot)}, with a catch-up margin: the runtime compacts the
   * store only up to {@code compactTo} (the snapshot's index less the entries it keeps), so the
   * core goes on sending entries after {@code compactTo} to followers that need them, and falls
   * back to the snapshot only for followers further behind. The runtime must never compact past
   * the highest {@code compactTo} announced.
   *
   * <p>The snapshot's bytes may be empty: a runtime that streams snapshots from its store
   * announces only the meta and sends the bytes itself when the core emits an
   * {@link InstallSnapshot} for a follower.
   *
   * @throws IllegalArgumentException as {@link #snapshotAvailable(Snapshot)}, or if
   *     {@code compactTo} is not in {@code [0, lastIncludedIndex]}
   */
  public void snapshotAvailable(Snapshot snapshot, long compactTo) {
    Objects.requireNonNull(snapshot, "snapshot");
    log.snapshotAvailable(snapshot.meta().lastIncludedIndex(), snapshot.meta().lastIncludedTerm(), compactTo);
    // Entries up to the snapshot leave the view and its configuration becomes the base. Usually
    // that changes nothing in force; but a core built on a log compacted behind this snapshot
    // knew only the configuration it was given until now (RaftCore's constructor).
    if (configs.snapshot(snapshot.meta().lastIncludedIndex(), snapshot.meta().config(), false)) {
      configurationChanged();
    }
    if (latestSnapshot == null
        || snapshot.meta().lastIncludedIndex() > latestSnapshot.meta().lastIncludedIndex()) {
      latestSnapshot = snapshot;
    }
  }

  /**
   * Reports that the state machine applied every entry handed out in
   * {@link Ready#committedEntries()} up to {@code index} (or holds them through an installed
   * snapshot). Their bytes leave the applying budget, {@link RaftConfig#maxApplyingBytes()}, so
   * that more committed entries can be handed out; the bytes of one {@code Ready}'s committed
   * entries are freed once {@code index} reaches its last one. Call it on the core's thread, as
   * often as convenient: an index at or below one reported before changes nothing.
   *
   * <p>A driver that never calls it gets at most {@code maxApplyingBytes} of committed entries in
   * total (or one single entry, if that one alone is larger).
   *
   * @throws IllegalArgumentException if {@code index} is negative or past the last entry handed
   *     out in {@code committedEntries}; nothing changes
   */
  public void appliedTo(long index) {
    log.appliedTo(index);
  }

  // ---------------------------------------------------------------- outputs

  /**
   * Whether {@link #ready()} has anything to hand out. Committed entries withheld because the
   * applying budget is used up ({@link RaftConfig#maxApplyingBytes()}) do not count: this
   * becomes true again once {@link #appliedTo} makes room.
   */
  public boolean hasReady() {
    UnstableLog unstable = log.unstable();
    return hardStateChanged() || unstable.hasNextEntries()
        || unstable.nextSnapshot() != null || !outbox.isEmpty() || log.hasNextCommittedEntries()
        || (leaderState != null && (leaderState.broadcastPending || leaderState.heartbeatPending));
  }

  /** Hands out everything to do since the last call; each item exactly once. */
  public Ready ready() {
    if (leaderState != null) {
      replication.flush();
    }
    HardState hardState = null;
    boolean termOrVoteChanged = false;
    if (hardStateChanged()) {
      hardState = new HardState(term, votedFor, log.commitIndex());
      termOrVoteChanged = hardState.termOrVoteDiffers(handedOutHardState);
      handedOutHardState = hardState;
    }
    UnstableLog unstable = log.unstable();
    List<LogEntry> entries = unstable.nextEntries();
    Snapshot snapshot = unstable.nextSnapshot();
    unstable.acceptInProgress();
    // Figure 2: currentTerm, votedFor and log[] are the persistent state; only they need a sync.
    // A hard state that changed only in its commit index (a hint, volatile in Figure 2) adds no
    // sync: it is written with this Ready and becomes durable with whatever sync comes next, as
    // in etcd (MustSync ignores Commit). It is never ahead of the log: every entry up to it was
    // handed out in this Ready or an earlier one, and is written before it (Ready#hardState).
    boolean mustSync = termOrVoteChanged || !entries.isEmpty() || snapshot != null;
    List<RaftMessage> sendNow = outbox.sendNow;
    List<RaftMessage> sendAfterSync = outbox.sendAfterSync;
    if (!sendNow.isEmpty() && handedOutHardState.termOrVoteDiffers(durableHardState)) {
      // Every message carries the term: none leaves before a new term and vote are durable
      // (Figure 2). A leader's AppendEntries may go out in parallel with its own write (thesis
      // §10.2.1) only where its term is already durable: not in the Ready that changed it, nor in
      // any later one handed out before that Ready was advanced. A lone voter, elected within one
      // Ready, is the leader whose term can be pending so: it could otherwise win the same term
      // again after a crash and write other entries at indexes a learner already holds with that
      // term (Log Matching, §5.3). Held behind this Ready's sync, they leave once every earlier
      // Ready is durable too: Readys are written and advanced in order.
      List<RaftMessage> all = new ArrayList<>(sendNow);
      all.addAll(sendAfterSync);
      sendAfterSync = all;
      sendNow = List.of();
    }
    Ready ready = new Ready(hardState, entries, snapshot, mustSync, sendNow, sendAfterSync,
        log.nextCommittedEntries(), outbox.readsReady, outbox.readsAborted);
    outbox.clear();
    return ready;
  }

  /**
   * Acknowledges that {@code ready}'s hard state, entries and snapshot are durable. Readys must
   * be advanced in the order they were handed out.
   */
  public void advance(Ready ready) {
    Objects.requireNonNull(ready, "ready");
    if (ready.hardState() != null) {
      durableHardState = ready.hardState();
    }
    List<LogEntry> entries = ready.entriesToAppend();
    if (!entries.isEmpty()) {
      LogEntry last = entries.get(entries.size() - 1);
      log.stableTo(last.index(), last.term());
      // A leader counts itself towards a quorum only for entries it has persisted.
      if (leaderState != null && log.matchTerm(last.index(), last.term())) {
        replication.selfPersisted(last.index());
      }
    }
    if (ready.snapshotToInstall() != null) {
      log.unstable().stableSnapshotTo(ready.snapshotToInstall().meta().lastIncludedIndex());
    }
  }

  // ---------------------------------------------------------------- state

  /** The current state. */
  public CoreStatus status() {
    return status(null);
  }

  /**
   * The current state, or {@code previous} itself when it still describes it: a runtime that
   * publishes its status after every loop batch then allocates nothing for a batch that changed
   * none of it. A leader's new status shares the previous one's member ids when they did not
   * change.
   *
   * @param previous a status this core returned earlier, or null
   */
  public CoreStatus status(CoreStatus previous) {
    // The previous leader's progress when it lists the same members in the same order: then only
    // the indexes need comparing, and a new status can share its ids.
    ProgressMap sameMembers = leaderState != null && previous != null && previous.id().equals(id)
        && previous.progress() instanceof ProgressMap pm && pm.hasIds(id, leaderState.progress.keySet()) ? pm : null;
    if (previous != null && previous.id().equals(id) && previous.role() == role && previous.term() == term
        && Objects.equals(previous.votedFor(), votedFor) && Objects.equals(previous.leader(), leader())
        && previous.commitIndex() == log.commitIndex() && previous.lastIndex() == log.lastIndex()
        && previous.lastTerm() == log.lastTerm() && previous.config() == config()
        && (leaderState == null ? previous.progress().isEmpty() : sameMembers != null && sameIndexes(sameMembers))) {
      return previous;
    }
    // A follower's progress stays the empty map rather than a new one.
    Map<NodeId, CoreStatus.PeerProgress> progress = Map.of();
    if (leaderState != null) {
      int members = 1 + leaderState.progress.size();
      long[] indexes = new long[2 * members];
      indexes[0] = leaderState.selfMatchIndex;
      indexes[1] = log.lastIndex() + 1;
      int i = 1;
      for (Progress pr : leaderState.progress.values()) {
        indexes[2 * i] = pr.matchIndex;
        indexes[2 * i + 1] = pr.nextIndex;
        i++;
      }
      progress = new ProgressMap(sameMembers != null ? sameMembers.ids() : leaderIds(members), indexes);
    }
    return new CoreStatus(id, role, term, votedFor, leader(), log.commitIndex(), log.lastIndex(), log.lastTerm(),
        config(), progress);
  }

  /** This leader's id, then its followers' in the order of {@code leaderState.progress}. */
  private NodeId[] leaderIds(int members) {
    NodeId[] ids = new NodeId[members];
    ids[0] = id;
    int i = 1;
    for (NodeId peer : leaderState.progress.keySet()) {
      ids[i++] = peer;
    }
    return ids;
  }

  /** Whether {@code previous}, a progress of the same members, holds this leader's indexes now. */
  private boolean sameIndexes(ProgressMap previous) {
    return previous.matchIndex(0) == leaderState.selfMatchIndex && previous.nextIndex(0) == log.lastIndex() + 1
        && previous.hasIndexesFrom(1, leaderState.progress.values());
  }

  public NodeId id() {
    return id;
  }

  public Role role() {
    return role;
  }

  public long term() {
    return term;
  }

  /**
   * The term of the hard state last acknowledged durable with {@link #advance}: the
   * {@code currentTerm} a restart would recover. It is below {@link #term()} from the step that
   * adopts a new term until the Ready that hands that term out is advanced. The core holds back
   * its own messages until their term is durable; a runtime that answers a peer outside
   * {@link #ready()} (the pieces of a streamed snapshot) must hold its answers the same way
   * (Figure 2: persistent state is updated on stable storage before responding to RPCs).
   */
  public long durableTerm() {
    return durableHardState.currentTerm();
  }

  /** The leader of the current term as far as this node knows, or null. */
  public NodeId leader() {
    if (role == Role.LEADER) {
      return id;
    }
    return followerState != null ? followerState.leader : null;
  }

  public long commitIndex() {
    return log.commitIndex();
  }

  /**
   * The configuration in force: the latest in the log, committed or not (thesis §4.1), else the
   * snapshot's or the initial one; null on a node started to join that has not received one yet.
   */
  public ClusterConfig config() {
    return configs.current();
  }

  /** Index of the entry holding {@link #config()} (the snapshot's index, or 0, when the log holds none). */
  public long configIndex() {
    return configs.currentIndex();
  }

  /**
   * Whether a membership change is in flight: the latest configuration entry is not committed,
   * or the configuration is joint (not yet left). Only one change may be in flight.
   */
  public boolean configChangeInFlight() {
    ClusterConfig current = configs.current();
    return configs.currentIndex() > log.commitIndex() || (current != null && current.isJoint());
  }

  /** The configuration in force at {@code index} of the log (the latest at or before it). */
  public ClusterConfig configAt(long index) {
    return configs.at(index);
  }

  /**
   * A read-only view of the log as this core sees it: the durable entries and those handed out in
   * a {@link Ready} but not yet written. For checkers and tools, on the thread that owns the core,
   * between calls; it reflects later calls as they happen.
   */
  public LogReader logView() {
    return new LogReader() {
      @Override
      public long firstIndex() {
        return log.firstIndex();
      }

      @Override
      public long lastIndex() {
        return log.lastIndex();
      }

      @Override
      public long term(long index) {
        return log.term(index);
      }

      @Override
      public List<LogEntry> entries(long fromIndex, long toIndex, long maxBytes) {
        return log.entries(fromIndex, toIndex, maxBytes);
      }
    };
  }

  /** Checks every internal invariant; for tests and the simulator. */
  void checkInvariants() {
    log.checkInvariants();
    if (leaderState != null) {
      leaderState.progress.values().forEach(Progress::checkInvariants);
    }
    if ((role == Role.LEADER) != (leaderState != null) || (role == Role.FOLLOWER) != (followerState != null)) {
      throw new IllegalStateException("role state does not match role " + role);
    }
  }

  private boolean hardStateChanged() {
    return term != handedOutHardState.currentTerm() || !Objects.equals(votedFor, handedOutHardState.votedFor())
        || log.commitIndex() != handedOutHardState.commitIndex();
  }

  /**
   * Whether this node heard from a live leader within the minimum election timeout (thesis
   * §4.2.3), or, with CheckQuorum on, must assume it did because it started less than a minimum
   * election timeout ago. While in the lease it ignores vote requests and rejects pre-votes
   * (except a leadership transfer's), so that no other node can become leader while the leader it
   * acknowledged may still serve reads on a lease (thesis §6.4.1).
   */
  boolean inLease() {
    int lease = raftConfig.electionTimeoutMinTicks();
    if (leader() != null && electionElapsed < lease) {
      return true;
    }
    // The leader this node last acknowledged counts on the refusal for a minimum election timeout
    // from then, whatever changed this node's term meanwhile: a stale reply of a higher term (a
    // pre-vote refusal, an append response) makes it a follower of that term with no leader known,
    // while that leader, not having heard of the term, may still serve reads on its lease.
    if (ticksSinceLeaderHeard < lease) {
      return true;
    }
    // Lease safety across a restart: a leader may count on this node's acknowledgement for a
    // lease until a minimum election timeout after it sent the heartbeat, and this node cannot
    // know when, before it crashed, it last acknowledged one. So a started or restarted core
    // behaves as if it had just heard from a leader. Only vote requests are affected: its own
    // election timer runs as usual. CheckQuorum is what gives leases (§6.2); without it there is
    // none to protect.
    return raftConfig.checkQuorum() && ticksSinceStart < lease;
  }

  void sendNow(RaftMessage m) {
    outbox.sendNow.add(m);
  }

  void sendAfterSync(RaftMessage m) {
    outbox.sendAfterSync.add(m);
  }

  void readsReady(List<ReadState> reads) {
    outbox.readsReady.addAll(reads);
  }

  // ---------------------------------------------------------------- configuration

  /** Appends to the log (truncating a conflicting suffix first, §5.3); the configuration follows. */
  void appendToLog(List<LogEntry> entries) {
    log.append(entries);
    if (configs.appended(entries)) {
      configurationChanged();
    }
  }

  /** A snapshot from the leader replaced the whole log (§7): its configuration is in force. */
  void snapshotInstalled(Snapshot snapshot) {
    if (configs.snapshot(snapshot.meta().lastIncludedIndex(), snapshot.meta().config(), true)) {
      configurationChanged();
    }
  }

  private void configurationChanged() {
    ClusterConfig current = configs.current();
    quorum = JointConfig.of(current);
    if (leaderState != null) {
      replication.membersChanged(current);
    }
    LOG.info("{} uses configuration {} (index {}, term {})", id, current, configs.currentIndex(), term);
  }

  /**
   * Whether the latest configuration in the log removed this node (it was a member of the one
   * before) and is not known to be committed. Such a node may still campaign, counting the votes
   * of that configuration's voters and not its own, and as leader commits the removal and steps
   * down (thesis §4.2.2: a leader may manage a configuration it is not part of). Without this a
   * leader that removed itself and crashed before the removal committed could hold the only log
   * the remaining voters accept, and refuse them its vote, which a joint or two-voter
   * configuration may need: no leader ever again. Election Safety does not depend on the
   * candidate being a member; a removed node that learned the commit stays quiet, and one that
   * did not is stopped by PreVote or by the lease while a leader is alive, like any removed node.
   */
  boolean removedByUncommittedConfig() {
    ClusterConfig current = configs.current();
    long index = configs.currentIndex();
    if (current == null || current.contains(id) || index <= log.commitIndex()) {
      return false;
    }
    ClusterConfig previous = configs.at(index - 1);
    return previous != null && previous.isVoter(id);
  }

  /** Thesis §4.1: the configuration in force is rebuilt from the log at every start. */
  private void scanConfigurations() {
    long last = log.lastIndex();
    for (long from = log.firstIndex(); from <= last;) {
      List<LogEntry> chunk = log.entries(from, last + 1, raftConfig.maxCommittedBytesPerReady());
      configs.appended(chunk);
      from = chunk.get(chunk.size() - 1).index() + 1;
    }
  }

  // ---------------------------------------------------------------- role changes

  void becomeFollower(long newTerm, NodeId leader) {
    if (newTerm < term) {
      throw new IllegalStateException(id + " cannot become follower at term " + newTerm + " below " + term);
    }
    if (newTerm > term) {
      term = newTerm;
      votedFor = null;
    }
    leaveRole();
    role = Role.FOLLOWER;
    followerState = new FollowerState(leader);
    resetElectionTimer();
    LOG.debug("{} became follower at term {} (leader {})", id, term, leader);
  }

  void becomePreCandidate() {
    if (role == Role.LEADER) {
      throw new IllegalStateException(id + ": invalid transition leader -> pre-candidate");
    }
    // Thesis §9.6: a pre-candidate changes neither its term nor its vote.
    leaveRole();
    role = Role.PRE_CANDIDATE;
    candidateState = new CandidateState(true);
    resetElectionTimer();
    LOG.debug("{} became pre-candidate at term {}", id, term);
  }

  void becomeCandidate() {
    if (role == Role.LEADER) {
      throw new IllegalStateException(id + ": invalid transition leader -> candidate");
    }
    // §5.2: increment currentTerm, vote for self.
    leaveRole();
    term++;
    votedFor = id;
    role = Role.CANDIDATE;
    candidateState = new CandidateState(false);
    resetElectionTimer();
    LOG.debug("{} became candidate at term {}", id, term);
  }

  /** @param appendNoOp false only when bootstrapping term 1 (see {@link #bootstrapAsLeader()}) */
  void becomeLeader(boolean appendNoOp) {
    if (appendNoOp ? role != Role.CANDIDATE : role != Role.FOLLOWER) {
      throw new IllegalStateException(id + ": invalid transition " + role + " -> leader");
    }
    leaveRole();
    role = Role.LEADER;
    leaderState = replication.newLeaderState(appendNoOp);
    resetElectionTimer();
    LOG.debug("{} became leader at term {}", id, term);
  }

  private void leaveRole() {
    if (leaderState != null) {
      outbox.readsAborted.addAll(leaderState.reads.abortAll());
    }
    leaderState = null;
    candidateState = null;
    followerState = null;
  }

  private void resetElectionTimer() {
    electionElapsed = 0;
    // Randomized timeouts make split votes rare and resolve them (§5.2).
    randomizedElectionTimeout = random.nextInt(raftConfig.electionTimeoutMinTicks(),
        raftConfig.electionTimeoutMaxTicks());
  }

  @Override
  public String toString() {
    return id + "[" + role + " term=" + term + " " + log + "]";
  }
}
