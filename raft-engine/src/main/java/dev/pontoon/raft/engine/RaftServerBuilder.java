package dev.pontoon.raft.engine;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.core.RaftConfig;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.engine.runtime.ApplyPlacement;
import dev.pontoon.raft.engine.runtime.NodeOptions;
import dev.pontoon.raft.engine.runtime.NodeRuntime;
import dev.pontoon.raft.engine.runtime.SnapshotPolicy;
import dev.pontoon.raft.engine.runtime.NodeScheduler;
import dev.pontoon.raft.engine.runtime.TickSource;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * Builds and starts a {@link RaftServer}. Required: {@link #nodeId}, {@link #cluster},
 * {@link #transport}, {@link #logStore} and {@link #stateMachine}, and {@link #snapshotStore}
 * when the log store is durable; everything else has a default.
 *
 * <p>Every option is checked when set: a bad value throws {@link IllegalArgumentException}
 * naming the rule and the value, setting an option twice (or two options that conflict) throws
 * {@link IllegalStateException}. {@link #build()} checks what spans options.
 *
 * <p><b>Threading.</b> Not thread-safe; use one builder from one thread, once.
 */
public final class RaftServerBuilder {

  /** The longest duration the node can count: Long.MAX_VALUE nanoseconds, about 292 years. */
  private static final Duration MAX_NANOS = Duration.ofNanos(Long.MAX_VALUE);
  /**
   * Default length of one tick: with {@link RaftConfig#defaults()}, heartbeats every 100 ms and
   * election timeouts of 500 ms to 1 s.
   */
  public static final Duration DEFAULT_TICK_INTERVAL = Duration.ofMillis(50);
  /** Default bound on proposals accepted and not yet answered. */
  public static final int DEFAULT_MAX_PENDING_PROPOSALS = 16_384;
  /** Default bound on the command bytes of those proposals. */
  public static final long DEFAULT_MAX_PENDING_BYTES = 64L * 1024 * 1024;
  /** Default time a proposal may wait for its commit. */
  public static final Duration DEFAULT_PROPOSAL_TIMEOUT = Duration.ofSeconds(10);
  /** Default bound on reads accepted and not yet out of the node. */
  public static final int DEFAULT_MAX_PENDING_READS = 16_384;
  /** Default time a read may wait for its answer. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
  /** Default bound on messages from the transport waiting for the event loop. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGES = 8_192;
  /** Default bound on the estimated bytes of those messages. */
  public static final long DEFAULT_MAX_INBOUND_BYTES = 64L * 1024 * 1024;
  /** Default catch-up lag: a new voter is promoted once within this many entries of the leader's log. */
  public static final long DEFAULT_PROMOTION_LAG_ENTRIES = 64;
  /** Default time a membership change waits for a node to catch up before it fails with NOT_CAUGHT_UP. */
  public static final Duration DEFAULT_PROMOTION_TIMEOUT = Duration.ofSeconds(60);
  /** Default clock-drift bound of lease reads: clocks may run 10% apart. */
  public static final double DEFAULT_CLOCK_DRIFT_BOUND = 0.1;

  private NodeId nodeId;
  private ClusterConfig cluster;
  private Transport transport;
  private LogStore logStore;
  private SnapshotStore snapshotStore;
  private StateMachine stateMachine;
  private RaftConfig raftConfig;
  private int[] electionTimeoutTicks;
  private Integer heartbeatTicks;
  private Duration tickInterval;
  private TickSource tickSource;
  private MeterRegistry meterRegistry;
  private String groupId;
  private Integer maxPendingProposals;
  private Long maxPendingBytes;
  private Duration proposalTimeout;
  private Duration proposalLinger;
  /** Longest {@link #proposalLinger}: far below any proposal timeout, far above a log sync. */
  static final Duration MAX_PROPOSAL_LINGER = Duration.ofMillis(100);
  private Integer maxPendingReads;
  private Duration readTimeout;
  private Integer maxInboundMessages;
  private Long maxInboundBytes;
  private ReadMode readMode;
  private Double clockDriftBound;
  private Long randomSeed;
  private NodeId bootstrapLeader;
  private Long snapshotEvery;
  private Boolean leaderWritesOnEventLoop;
  private Boolean applyOnEventLoop;
  private Integer snapshotChunkBytes;
  private Integer snapshotChunksInFlight;
  private Long snapshotBytesPerSecond;
  private Long logRetainEntries;
  private NodeScheduler scheduler;
  private boolean joining;
  private Long promotionLagEntries;
  private Duration promotionTimeout;
  private boolean built;

  RaftServerBuilder() {}

  /** This node's id; must be a member of {@link #cluster} (unless {@link #joining()}). Required. */
  public RaftServerBuilder nodeId(NodeId id) {
    requireArgument(id != null, "nodeId must not be null");
    requireState(nodeId == null, "nodeId was already set to " + nodeId);
    nodeId = id;
    return this;
  }

  /** Shorthand for {@code nodeId(NodeId.of(id))}. */
  public RaftServerBuilder nodeId(String id) {
    requireArgument(id != null, "nodeId must not be null");
    return nodeId(NodeId.of(id));
  }

  /**
   * The cluster's initial configuration. Used when neither a snapshot nor the log holds a
   * configuration, that is on a node's first start; afterwards the latest configuration in the
   * log is in force (membership changes). Required, except with {@link #joining()}.
   */
  public RaftServerBuilder cluster(ClusterConfig config) {
    requireArgument(config != null, "cluster must not be null");
    requireState(cluster == null, "cluster was already set to " + cluster);
    cluster = config;
    return this;
  }

  /** How this node exchanges messages; the node starts it and closes it on close. Required. */
  public RaftServerBuilder transport(Transport value) {
    requireArgument(value != null, "transport must not be null");
    requireState(transport == null, "transport was already set");
    transport = value;
    return this;
  }

  /**
   * Where the log and the hard state live; recovered on build, closed on close. The store must
   * not be shared with another running node. Required.
   */
  public RaftServerBuilder logStore(LogStore value) {
    requireArgument(value != null, "logStore must not be null");
    requireState(logStore == null, "logStore was already set");
    logStore = value;
    return this;
  }

  /**
   * Where the latest snapshot lives; restored on build, closed on close. Required with a
   * {@linkplain LogStore#isDurable() durable} log store, which must be paired with a durable
   * snapshot store (for example {@code FileSnapshotStore} in a directory next to the log): once
   * the log is compacted, or replaced by a leader's snapshot, it starts after the snapshot, and a
   * node that lost the snapshot at a restart could not start again. Default, for a log store that
   * is not durable: a new in-memory store.
   */
  public RaftServerBuilder snapshotStore(SnapshotStore value) {
    requireArgument(value != null, "snapshotStore must not be null");
    requireState(snapshotStore == null, "snapshotStore was already set");
    snapshotStore = value;
    return this;
  }

  /** The application's replicated state, fresh (or as the snapshot store restores it). Required. */
  public RaftServerBuilder stateMachine(StateMachine value) {
    requireArgument(value != null, "stateMachine must not be null");
    requireState(stateMachine == null, "stateMachine was already set");
    stateMachine = value;
    return this;
  }

  /**
   * The whole core configuration, in ticks. Default: {@link RaftConfig#defaults()}. Cannot be
   * combined with {@link #electionTimeoutTicks} or {@link #heartbeatTicks}.
   */
  public RaftServerBuilder raftConfig(RaftConfig value) {
    requireArgument(value != null, "raftConfig must not be null");
    requireState(raftConfig == null, "raftConfig was already set");
    requireState(electionTimeoutTicks == null && heartbeatTicks == null,
        "raftConfig cannot be combined with electionTimeoutTicks or heartbeatTicks: set the ticks on the RaftConfig");
    raftConfig = value;
    return this;
  }

  /** The randomized election timeout is drawn from {@code [minTicks, maxTicksExclusive)} (§5.2). */
  public RaftServerBuilder electionTimeoutTicks(int minTicks, int maxTicksExclusive) {
    requireArgument(minTicks > 0, "electionTimeoutTicks min (" + minTicks + ") must be positive");
    requireArgument(maxTicksExclusive > minTicks, "electionTimeoutTicks max (" + maxTicksExclusive
        + ") must be greater than min (" + minTicks + ")");
    requireState(electionTimeoutTicks == null, "electionTimeoutTicks was already set");
    requireState(raftConfig == null, "electionTimeoutTicks cannot be combined with raftConfig: set it on the RaftConfig");
    electionTimeoutTicks = new int[] {minTicks, maxTicksExclusive};
    return this;
  }

  /** How many ticks between a leader's heartbeats; less than the minimum election timeout. */
  public RaftServerBuilder heartbeatTicks(int ticks) {
    requireArgument(ticks > 0, "heartbeatTicks (" + ticks + ") must be positive");
    requireState(heartbeatTicks == null, "heartbeatTicks was already set to " + heartbeatTicks);
    requireState(raftConfig == null, "heartbeatTicks cannot be combined with raftConfig: set it on the RaftConfig");
    heartbeatTicks = ticks;
    return this;
  }

  /** How long one tick lasts, at most {@code Long.MAX_VALUE} nanoseconds. Default {@link #DEFAULT_TICK_INTERVAL}. */
  public RaftServerBuilder tickInterval(Duration interval) {
    requireArgument(interval != null, "tickInterval must not be null");
    requireArgument(!interval.isNegative() && !interval.isZero(), "tickInterval (" + interval + ") must be positive");
    requireNanos("tickInterval", interval);
    requireState(tickInterval == null, "tickInterval was already set to " + tickInterval);
    tickInterval = interval;
    return this;
  }

  /**
   * Where ticks come from, for tests that advance time by hand. Default: a timer thread ticking
   * every {@link #tickInterval}. The tick interval still tells how long a tick is meant to last
   * (for lease reads).
   */
  public RaftServerBuilder tickSource(TickSource source) {
    requireArgument(source != null, "tickSource must not be null");
    requireState(tickSource == null, "tickSource was already set");
    tickSource = source;
    return this;
  }

  /** Where the node's {@code raft.*} meters go. Default: none are kept. No global registry is used. */
  public RaftServerBuilder meterRegistry(MeterRegistry registry) {
    requireArgument(registry != null, "meterRegistry must not be null");
    requireState(meterRegistry == null, "meterRegistry was already set");
    meterRegistry = registry;
    return this;
  }

  /** The Raft group's name, used as the {@code group} tag of every meter. Default {@code "default"}. */
  public RaftServerBuilder groupId(String id) {
    requireArgument(id != null && !id.isBlank(), "groupId must not be blank: '" + id + "'");
    requireState(groupId == null, "groupId was already set to " + groupId);
    groupId = id;
    return this;
  }

  /**
   * Most proposals accepted and not yet answered; beyond it submit fails with OverloadedException.
   * It also bounds a leader's entries that its own disk has not made durable yet: while those it
   * has handed to its log store's sync exceed this many, submit fails the same way, even where its
   * followers commit and answer them meanwhile (a stalled fsync then costs bounded memory).
   */
  public RaftServerBuilder maxPendingProposals(int count) {
    requireArgument(count > 0, "maxPendingProposals (" + count + ") must be positive");
    requireState(maxPendingProposals == null, "maxPendingProposals was already set to " + maxPendingProposals);
    maxPendingProposals = count;
    return this;
  }

  /**
   * Most command bytes accepted and not yet answered; beyond it submit fails with
   * OverloadedException. Like {@link #maxPendingProposals}, it also bounds the command bytes of a
   * leader's entries that its own disk has not made durable yet.
   */
  public RaftServerBuilder maxPendingBytes(long bytes) {
    requireArgument(bytes > 0, "maxPendingBytes (" + bytes + ") must be positive");
    requireState(maxPendingBytes == null, "maxPendingBytes was already set to " + maxPendingBytes);
    maxPendingBytes = bytes;
    return this;
  }

  /**
   * How long a leader may hold new writes after it answered some, so that clients that wait for
   * each write before sending the next ("closed-loop": a pool of threads calling
   * {@code submit(...).get()}, say) have their next writes go out together: one append per
   * follower and one log sync per member for the lot. Default zero: never held.
   *
   * <p>Without it, the first of those clients to come back finds the leader idle and its write
   * goes out alone, the others' follow in the next round, and the clients settle into two groups
   * that each pay a sync on every member per round. In the peer benchmark's durable job at 16
   * outstanding writes, 200 µs took fdatasyncs per write from 0.36 to 0.20 and writes per second
   * from about 9k to 12-13k, with lower p99.
   *
   * <p>A write is held only when the leader answered writes within the last {@code linger} and
   * fewer writes have arrived since than it answered; it is proposed once as many have arrived,
   * or {@code linger} after the hold began. A write that arrives when none was answered lately
   * (one client writing sequentially, the first write after a pause) is never held. What it costs:
   * a client that does not come back right after its answer (open-loop traffic) may see its next
   * write wait up to {@code linger}. Order and results are unchanged; no Raft rule is involved.
   *
   * @param linger from zero (off) to 100 ms; a few hundred microseconds, about a log sync, is
   *     the useful range
   */
  public RaftServerBuilder proposalLinger(Duration linger) {
    requireArgument(linger != null, "proposalLinger must not be null");
    requireArgument(!linger.isNegative() && linger.compareTo(MAX_PROPOSAL_LINGER) <= 0,
        "proposalLinger (" + linger + ") must be in [0, " + MAX_PROPOSAL_LINGER.toMillis() + " ms]");
    requireState(proposalLinger == null, "proposalLinger was already set to " + proposalLinger);
    proposalLinger = linger;
    return this;
  }

  /**
   * How long a proposal may wait for its commit before failing with IndeterminateStateException;
   * at most {@code Long.MAX_VALUE} nanoseconds.
   */
  public RaftServerBuilder proposalTimeout(Duration timeout) {
    requireArgument(timeout != null, "proposalTimeout must not be null");
    requireArgument(!timeout.isNegative() && !timeout.isZero(), "proposalTimeout (" + timeout + ") must be positive");
    requireNanos("proposalTimeout", timeout);
    requireState(proposalTimeout == null, "proposalTimeout was already set to " + proposalTimeout);
    proposalTimeout = timeout;
    return this;
  }

  /**
   * Most reads accepted and not yet out of the node; beyond it {@code read} fails at once with
   * {@code OverloadedException}. A read holds its room until it leaves the node, even after it
   * timed out, so that reads stuck behind a slow apply or an unconfirmed leadership are
   * refused instead of piling up. Default {@link #DEFAULT_MAX_PENDING_READS}.
   */
  public RaftServerBuilder maxPendingReads(int count) {
    requireArgument(count > 0, "maxPendingReads (" + count + ") must be positive");
    requireState(maxPendingReads == null, "maxPendingReads was already set to " + maxPendingReads);
    maxPendingReads = count;
    return this;
  }

  /**
   * How long a read may wait for its answer (leadership confirmed, then the log applied up to
   * its index) before failing with {@code ReadTimeoutException}; checked on every tick. A read
   * changes nothing, so the caller may simply retry. At most {@code Long.MAX_VALUE} nanoseconds
   * (about 292 years). Default {@link #DEFAULT_READ_TIMEOUT}.
   */
  public RaftServerBuilder readTimeout(Duration timeout) {
    requireArgument(timeout != null, "readTimeout must not be null");
    requireArgument(!timeout.isNegative() && !timeout.isZero(), "readTimeout (" + timeout + ") must be positive");
    requireNanos("readTimeout", timeout);
    requireState(readTimeout == null, "readTimeout was already set to " + readTimeout);
    readTimeout = timeout;
    return this;
  }

  /**
   * Most messages received from the transport and waiting for the event loop. Beyond it (or
   * beyond {@link #maxInboundBytes}) an inbound message is dropped, which Raft tolerates (the
   * sender retries), and counted in {@code raft.messages.dropped{reason=overload}}. Default
   * {@link #DEFAULT_MAX_INBOUND_MESSAGES}.
   */
  public RaftServerBuilder maxInboundMessages(int count) {
    requireArgument(count > 0, "maxInboundMessages (" + count + ") must be positive");
    requireState(maxInboundMessages == null, "maxInboundMessages was already set to " + maxInboundMessages);
    maxInboundMessages = count;
    return this;
  }

  /**
   * Most estimated bytes (entry and snapshot payloads plus a fixed overhead per message) of the
   * messages waiting for the event loop; see {@link #maxInboundMessages}. A message arriving at
   * an empty queue is always taken, however large. Default {@link #DEFAULT_MAX_INBOUND_BYTES}.
   */
  public RaftServerBuilder maxInboundBytes(long bytes) {
    requireArgument(bytes > 0, "maxInboundBytes (" + bytes + ") must be positive");
    requireState(maxInboundBytes == null, "maxInboundBytes was already set to " + maxInboundBytes);
    maxInboundBytes = bytes;
    return this;
  }

  /**
   * How reads are served. Default {@link ReadMode#READ_INDEX}. {@link ReadMode#LEASE} needs
   * CheckQuorum, which {@link #build()} checks on this node only: leases are safe only if every
   * voter runs with CheckQuorum and the same minimum election timeout, and a restarted voter
   * refuses votes for one minimum election timeout (see {@link ReadMode#LEASE}).
   */
  public RaftServerBuilder readMode(ReadMode mode) {
    requireArgument(mode != null, "readMode must not be null");
    requireState(readMode == null, "readMode was already set to " + readMode);
    readMode = mode;
    return this;
  }

  /**
   * For {@link ReadMode#LEASE}: how far apart, as a fraction, the nodes' clock rates may drift.
   * The lease lasts {@code (electionTimeoutMinTicks − 1) × tickInterval × (1 − bound)} from when
   * a quorum's acknowledged heartbeats were sent. Default
   * {@link #DEFAULT_CLOCK_DRIFT_BOUND}.
   */
  public RaftServerBuilder clockDriftBound(double bound) {
    requireArgument(bound >= 0 && bound < 1, "clockDriftBound (" + bound + ") must be in [0, 1)");
    requireState(clockDriftBound == null, "clockDriftBound was already set to " + clockDriftBound);
    clockDriftBound = bound;
    return this;
  }

  /** Seed of the core's random generator (election timeouts), for reproducible runs. Default: random. */
  public RaftServerBuilder randomSeed(long seed) {
    requireState(randomSeed == null, "randomSeed was already set to " + randomSeed);
    randomSeed = seed;
    return this;
  }

  /**
   * Starts a <em>new</em> cluster with {@code leader} as leader of term 1 at once, without an
   * election (the core's {@code bootstrapAsLeader}). <b>Every</b> member of the new cluster
   * must name the same voter and the same {@link #cluster}: on its first start (a brand-new
   * store), each member durably writes the bootstrap entry (index 1, term 1, the initial
   * configuration) and a vote for {@code leader} in term 1, so that no other node can win term 1
   * (one vote per term, §5.2); the first command then gets index 2. Bootstrap happens once: on
   * any later start, even one right after a crash that left exactly the bootstrap state, the
   * option does nothing and leaders are elected (from term 2). Never restart a member of a
   * running cluster on an emptied store with this option set: it would bootstrap again.
   * Default: no bootstrap; the first leader is elected.
   */
  public RaftServerBuilder bootstrapLeader(NodeId leader) {
    requireArgument(leader != null, "bootstrapLeader must not be null");
    requireState(bootstrapLeader == null, "bootstrapLeader was already set to " + bootstrapLeader);
    bootstrapLeader = leader;
    return this;
  }

  /**
   * This node is the bootstrap leader of a new cluster: {@code bootstrapLeader(nodeId)}. The other
   * members must be built with {@code bootstrapLeader(thisNodesId)}.
   */
  public RaftServerBuilder bootstrapAsLeader() {
    requireState(nodeId != null, "bootstrapAsLeader needs nodeId to be set first");
    return bootstrapLeader(nodeId);
  }

  /**
   * Takes a snapshot every {@code entries} applied entries and then discards the log up to it
   * (§7), so that the log does not grow without bound; a leader sends the latest snapshot to a
   * follower that needs discarded entries. The state machine must implement
   * {@code captureSnapshot} and {@code restoreSnapshot}; the capture runs on the apply thread (on
   * the event loop with {@link #applyOnEventLoop}),
   * the write on the node's {@code pontoon-<id>-snapshot} thread. Default: never (the log keeps
   * every entry).
   */
  public RaftServerBuilder snapshotEvery(long entries) {
    requireArgument(entries > 0, "snapshotEvery (" + entries + ") must be positive");
    requireState(snapshotEvery == null, "snapshotEvery was already set to " + snapshotEvery);
    snapshotEvery = entries;
    return this;
  }

  /**
   * Whether the leader writes and syncs its log on its event loop, as every other role does.
   * Default {@code false}: the leader writes on its {@code pontoon-<id>-sync} thread, in parallel
   * with sending the same entries to its followers (thesis §10.2.1), so that a slow sync delays
   * neither replication nor heartbeats. Set it only for a log store whose sync costs next to
   * nothing (an in-memory store, or one whose durability comes from replication alone): it saves
   * two thread hand-offs per write, but a leader whose sync stalls then stalls its loop too, and
   * the cluster elects another leader. Safety does not depend on it: either way the leader counts
   * its own copy only once synced.
   */
  public RaftServerBuilder leaderWritesOnEventLoop(boolean onLoop) {
    requireState(leaderWritesOnEventLoop == null, "leaderWritesOnEventLoop was already set to "
        + leaderWritesOnEventLoop);
    leaderWritesOnEventLoop = onLoop;
    return this;
  }

  /**
   * Where committed entries are applied, reads served and snapshots captured: {@code true} always
   * on the node's event loop, {@code false} always on its {@code pontoon-<id>-apply} thread.
   *
   * <p>Default (not set): <b>adaptive</b>. A batch runs on the event loop while the apply thread
   * has nothing queued and the state machine's previous batch took at most 200 µs per task; on the
   * apply thread otherwise, and a snapshot restore always there. A quick state machine then saves
   * a hand-off to another thread and its wake-up per batch (a third more writes per second at 16
   * outstanding in the peer benchmark, and a third less CPU per write); a slow {@code apply}, a
   * large {@code captureSnapshot} or a future callback that blocks holds the loop for one batch,
   * after which its work moves to the apply thread until a batch there is quick again.
   *
   * <p>Set {@code false} for a state machine that may block for long at any moment (remote calls,
   * large disk reads), so that it never delays heartbeats; set {@code true} for one that always
   * takes microseconds. With {@code true}, and for the batches the adaptive default runs on the
   * loop, {@code submit}/{@code read} futures complete on the loop: a callback that blocks
   * delays heartbeats and elections, and a callback that waits for another request of this node
   * never returns (it never does on the apply thread either). Order and results are the same in
   * every case, and the state machine's calls never overlap.
   */
  public RaftServerBuilder applyOnEventLoop(boolean onLoop) {
    requireState(applyOnEventLoop == null, "applyOnEventLoop was already set to " + applyOnEventLoop);
    applyOnEventLoop = onLoop;
    return this;
  }

  /**
   * This node is not in any configuration yet: it starts knowing none (or, if {@link #cluster}
   * is also given, the current members, of which it is not a voter), never campaigns, and waits
   * for a leader to add it — ask the cluster with {@code RaftNode.addVoter} or
   * {@code addLearner} on its leader. It accepts the log from whichever leader sends it, and the
   * configuration entry that adds it tells it its role. On a later start of the same stores the
   * log (or snapshot) holds that configuration and this option changes nothing, so a node that
   * already joined may keep it. Until a configuration reaches it, {@code status().config()} is
   * null. Cannot be combined with {@link #bootstrapLeader}. Default: not joining.
   */
  public RaftServerBuilder joining() {
    requireState(!joining, "joining was already set");
    joining = true;
    return this;
  }

  /**
   * A node added as a voter (or a learner promoted) becomes a voter only once its match index is
   * within {@code entries} of the leader's last index, so that a member catching up never counts
   * towards a quorum and adding one never reduces availability. Default
   * {@value #DEFAULT_PROMOTION_LAG_ENTRIES}.
   */
  public RaftServerBuilder promotionLagEntries(long entries) {
    requireArgument(entries >= 0, "promotionLagEntries (" + entries + ") must not be negative");
    requireState(promotionLagEntries == null, "promotionLagEntries was already set to " + promotionLagEntries);
    promotionLagEntries = entries;
    return this;
  }

  /**
   * How long a membership change waits for the nodes it promotes to catch up (see
   * {@link #promotionLagEntries}) before it fails with {@code NOT_CAUGHT_UP}. At most
   * {@code Long.MAX_VALUE} nanoseconds. Default 60 s.
   */
  public RaftServerBuilder promotionTimeout(Duration timeout) {
    requireArgument(timeout != null && !timeout.isNegative() && !timeout.isZero(),
        "promotionTimeout (" + timeout + ") must be positive");
    requireNanos("promotionTimeout", timeout);
    requireState(promotionTimeout == null, "promotionTimeout was already set to " + promotionTimeout);
    promotionTimeout = timeout;
    return this;
  }

  /**
   * The catch-up margin: after a snapshot, the log is discarded only up to {@code entries}
   * before its index, so that a follower less than that far behind still gets entries instead
   * of the whole snapshot (etcd's {@code SnapshotCatchUpEntries}); it also lets a node whose
   * newest snapshot file is damaged fall back to the previous one when the margin is at least
   * {@link #snapshotEvery}. Default: 0 (the log starts right after the snapshot).
   */
  public RaftServerBuilder logRetainEntries(long entries) {
    requireArgument(entries >= 0, "logRetainEntries (" + entries + ") must be >= 0");
    requireState(logRetainEntries == null, "logRetainEntries was already set to " + logRetainEntries);
    logRetainEntries = entries;
    return this;
  }

  /**
   * Most snapshot bytes per InstallSnapshot piece when a leader streams a snapshot to a follower
   * (lowered to fit the transport's {@code maxMessageBytes}). Default: 1 MiB.
   */
  public RaftServerBuilder snapshotChunkBytes(int bytes) {
    requireArgument(bytes > 0, "snapshotChunkBytes (" + bytes + ") must be positive");
    requireState(snapshotChunkBytes == null, "snapshotChunkBytes was already set to " + snapshotChunkBytes);
    snapshotChunkBytes = bytes;
    return this;
  }

  /** Most snapshot pieces sent to one follower and not yet acknowledged. Default: 4. */
  public RaftServerBuilder snapshotChunksInFlight(int chunks) {
    requireArgument(chunks > 0, "snapshotChunksInFlight (" + chunks + ") must be positive");
    requireState(snapshotChunksInFlight == null, "snapshotChunksInFlight was already set to "
        + snapshotChunksInFlight);
    snapshotChunksInFlight = chunks;
    return this;
  }

  /** Most snapshot bytes per second sent to each follower, to spare the network. Default: no limit. */
  public RaftServerBuilder snapshotBytesPerSecond(long bytes) {
    requireArgument(bytes > 0, "snapshotBytesPerSecond (" + bytes + ") must be positive");
    requireState(snapshotBytesPerSecond == null, "snapshotBytesPerSecond was already set to "
        + snapshotBytesPerSecond);
    snapshotBytesPerSecond = bytes;
    return this;
  }

  /**
   * Where the node's work runs and what time it is. Default {@link NodeScheduler#threads()}: a
   * thread per queue and {@code System.nanoTime()}. Members that share one JVM over the
   * in-memory transport may use {@link NodeScheduler#sharedLoopThreads()}, with which a member's
   * event-loop thread runs an idle member's next batch itself instead of waking its thread (in
   * the in-memory peer comparison, 1.5–2.2× the writes per second at 16 outstanding); read its
   * Javadoc for what then runs where. The deterministic simulator passes its own scheduler, so
   * that it runs exactly the runtime a host runs.
   */
  public RaftServerBuilder scheduler(NodeScheduler value) {
    requireArgument(value != null, "scheduler must not be null");
    requireState(scheduler == null, "scheduler was already set");
    scheduler = value;
    return this;
  }

  /**
   * Recovers hard state and log from the log store, restores the latest snapshot if any, and
   * starts the node.
   *
   * @throws IllegalStateException if a required option is missing or options conflict
   * @throws RuntimeException what recovery met (a failing store); nothing is started then
   */
  public RaftServer build() {
    requireState(!built, "build() was already called on this builder");
    requireState(nodeId != null, "nodeId is required");
    requireState(cluster != null || joining, "cluster is required (unless joining())");
    requireState(transport != null, "transport is required");
    requireState(logStore != null, "logStore is required");
    requireState(stateMachine != null, "stateMachine is required");
    requireState(snapshotStore != null || !logStore.isDurable(), "a durable logStore needs a durable snapshotStore:"
        + " after a compaction or an InstallSnapshot the log starts after a snapshot that the default in-memory"
        + " store loses at a restart; set snapshotStore(...), e.g. a FileSnapshotStore next to the log");
    requireState(joining || cluster.contains(nodeId), "nodeId " + nodeId + " is not a member of the cluster "
        + cluster + " (a node that waits to be added is built with joining())");
    requireState(!joining || cluster == null || !cluster.isVoter(nodeId), "a joining node cannot be a voter of its "
        + "initial cluster " + cluster + ": it would campaign before it holds the log");
    requireState(!joining || bootstrapLeader == null, "joining cannot be combined with bootstrapLeader");
    requireState(bootstrapLeader == null || cluster.voters().contains(bootstrapLeader),
        "bootstrapLeader " + bootstrapLeader + " is not a voter of the cluster " + cluster);
    RaftConfig config = fitToTransport(effectiveRaftConfig(), transport.maxMessageBytes());
    Duration tick = tickInterval != null ? tickInterval : DEFAULT_TICK_INTERVAL;
    ReadMode mode = readMode != null ? readMode : ReadMode.READ_INDEX;
    requireState(mode != ReadMode.LEASE || config.checkQuorum(),
        "readMode LEASE needs checkQuorum (thesis §6.4.1), but the RaftConfig has checkQuorum=false");
    requireState(clockDriftBound == null || mode == ReadMode.LEASE, "clockDriftBound applies only to readMode LEASE");
    long leaseNanos = mode == ReadMode.LEASE ? leaseNanos(config, tick) : 0;
    built = true;
    NodeOptions options = new NodeOptions(nodeId, cluster, transport, logStore,
        snapshotStore != null ? snapshotStore : new InMemorySnapshotStore(), stateMachine, config, tick,
        tickSource != null ? tickSource : TickSource.fixedRate(tick, "pontoon-" + nodeId.value() + "-tick"),
        meterRegistry != null ? meterRegistry : new CompositeMeterRegistry(), groupId != null ? groupId : "default",
        maxPendingProposals != null ? maxPendingProposals : DEFAULT_MAX_PENDING_PROPOSALS,
        maxPendingBytes != null ? maxPendingBytes : DEFAULT_MAX_PENDING_BYTES,
        proposalTimeout != null ? proposalTimeout : DEFAULT_PROPOSAL_TIMEOUT,
        maxPendingReads != null ? maxPendingReads : DEFAULT_MAX_PENDING_READS,
        readTimeout != null ? readTimeout : DEFAULT_READ_TIMEOUT,
        maxInboundMessages != null ? maxInboundMessages : DEFAULT_MAX_INBOUND_MESSAGES,
        maxInboundBytes != null ? maxInboundBytes : DEFAULT_MAX_INBOUND_BYTES, leaseNanos,
        randomSeed != null ? randomSeed : new SplittableRandom().nextLong(), bootstrapLeader,
        snapshotEvery != null ? snapshotEvery : 0, scheduler != null ? scheduler : NodeScheduler.threads(),
        promotionLagEntries != null ? promotionLagEntries : DEFAULT_PROMOTION_LAG_ENTRIES,
        promotionTimeout != null ? promotionTimeout : DEFAULT_PROMOTION_TIMEOUT, snapshotPolicy(),
        leaderWritesOnEventLoop != null && leaderWritesOnEventLoop, applyOnEventLoop == null ? ApplyPlacement.ADAPTIVE
            : applyOnEventLoop ? ApplyPlacement.EVENT_LOOP : ApplyPlacement.APPLY_THREAD,
        proposalLinger != null ? proposalLinger : Duration.ZERO);
    return new RaftServer(NodeRuntime.start(options));
  }

  private SnapshotPolicy snapshotPolicy() {
    SnapshotPolicy d = SnapshotPolicy.DEFAULTS;
    return new SnapshotPolicy(snapshotChunkBytes != null ? snapshotChunkBytes : d.chunkBytes(),
        snapshotChunksInFlight != null ? snapshotChunksInFlight : d.maxChunksInFlight(),
        snapshotBytesPerSecond != null ? snapshotBytesPerSecond : d.maxBytesPerSecond(),
        logRetainEntries != null ? logRetainEntries : d.logRetainEntries());
  }

  /**
   * Appends are packed under the transport's largest message: the core bounds an append by the
   * sum of its entries' {@code LogEntry.sizeInBytes()} (payload plus a fixed per-entry overhead at
   * least the wire's), so that sum may take the message less the room for its own fields. A single
   * entry larger than that is refused at submit ({@code CommandTooLargeException}), so it never
   * needs sending.
   */
  static RaftConfig fitToTransport(RaftConfig config, int maxMessageBytes) {
    long room = (long) maxMessageBytes - NodeRuntime.MESSAGE_OVERHEAD_BYTES;
    if (room < config.maxBytesPerAppend()) {
      requireState(room > NodeRuntime.ENTRY_OVERHEAD_BYTES, "the transport's largest message (" + maxMessageBytes
          + " bytes) leaves no room for entries");
      return config.withMaxBytesPerAppend(room);
    }
    return config;
  }

  private RaftConfig effectiveRaftConfig() {
    if (raftConfig != null) {
      return raftConfig;
    }
    RaftConfig config = RaftConfig.defaults();
    int heartbeat = heartbeatTicks != null ? heartbeatTicks : config.heartbeatTicks();
    int min = electionTimeoutTicks != null ? electionTimeoutTicks[0] : config.electionTimeoutMinTicks();
    int max = electionTimeoutTicks != null ? electionTimeoutTicks[1] : config.electionTimeoutMaxTicks();
    requireState(heartbeat < min,
        "heartbeatTicks (" + heartbeat + ") must be less than the minimum election timeout (" + min + " ticks)");
    return config.withHeartbeatTicks(heartbeat).withElectionTimeoutTicks(min, max);
  }

  private long leaseNanos(RaftConfig config, Duration tick) {
    double drift = clockDriftBound != null ? clockDriftBound : DEFAULT_CLOCK_DRIFT_BOUND;
    // A follower refuses votes while fewer than electionTimeoutMinTicks ticks passed since it heard
    // from this leader (thesis §4.2.3); the first of those ticks may come at once, so only
    // (min - 1) full ticks of its clock are guaranteed, and its clock may run fast by the drift bound.
    long nanos = (long) ((config.electionTimeoutMinTicks() - 1) * (double) tick.toNanos() * (1 - drift));
    requireState(nanos > 0, "lease (" + nanos + " ns) must be positive");
    return nanos;
  }

  /**
   * Refuses a duration the node cannot count: deadlines and ticks are counted in nanoseconds of
   * the node's clock (System.nanoTime, or the scheduler's), so at most Long.MAX_VALUE of them.
   */
  private static void requireNanos(String name, Duration duration) {
    requireArgument(duration.compareTo(MAX_NANOS) <= 0,
        name + " (" + duration + ") must be at most " + MAX_NANOS + " (Long.MAX_VALUE ns)");
  }

  private static void requireArgument(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void requireState(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException(message);
    }
  }
}
