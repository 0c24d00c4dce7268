package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.CommandTooLargeException;
import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.MemberChange;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.OverloadedException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.RaftNodeStatus;
import dev.pontoon.raft.RaftNodeStatus.FollowerProgress;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.core.CoreStatus;
import dev.pontoon.raft.engine.core.RaftCore;
import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live Raft node: the core on its event loop, the sync worker (group commit), the apply thread
 * and the tick source, wired together. Internal to the engine: hosts build one with
 * {@code RaftServer.builder()}, which validates every option first.
 *
 * <p>It starts from what {@link Recovery#recover} makes of the stores (the one recovery path, the
 * simulator's too).
 *
 * <p>Threads are named {@code pontoon-<node>-loop}, {@code -sync}, {@code -apply}, {@code -tick},
 * {@code -snapshot} when snapshots are taken, {@code -snapshot-out} and {@code -snapshot-in}
 * (streaming snapshots to and from peers), and {@code -stop} for the short-lived thread that
 * stops the node (after {@link #close()} or a fatal failure): the stop never runs on one of the
 * node's queues, because it waits for every one of them. Each of these threads, and a thread the
 * event loop borrows for a batch, is a node thread ({@link NodeThreads}): {@link #close()} of any
 * node called there does not wait.
 */
public final class NodeRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(NodeRuntime.class);
  /**
   * Most loop tasks run before the core's Ready is carried out: large enough to batch many
   * proposals into one append, small enough that ticks and acks are never held back for long.
   */
  private static final int LOOP_BATCH = 1024;
  /**
   * Room, in bytes, a message needs besides its entries or snapshot bytes (ids, terms, indexes,
   * framing), when packing under the transport's {@code maxMessageBytes}. Generous on purpose:
   * the Netty codec needs well under half of it.
   */
  public static final int MESSAGE_OVERHEAD_BYTES = 1024;
  /**
   * Room, in bytes, one entry needs besides its payload (index, term, kind, length): the fixed
   * part of {@code LogEntry.sizeInBytes()}, by which the core bounds an append.
   */
  public static final int ENTRY_OVERHEAD_BYTES = 24;

  private final NodeOptions options;
  private final NodeId id;
  private final NodeMetrics metrics;
  private final PendingProposals proposals;
  private final PendingReads reads;
  private final InboundLimit inbound;
  private final NodeScheduler scheduler;
  private final TaskQueue<Runnable> loop;
  private final SyncWorker sync;
  private final ApplyWorker apply;
  /** Null when the node takes no snapshots. */
  private final SnapshotTaker snapshots;
  private final SnapshotSender snapshotSender;
  private final SnapshotReceiver snapshotReceiver;
  /** The largest command the transport can carry in one AppendEntries. */
  private final long maxCommandBytes;
  private final CoreDriver driver;
  private final TickSource ticks;
  /** Guards only the creation of {@link #stopper}: never held while a future completes or a thread is awaited. */
  private final Object stopLock = new Object();
  private final AtomicBoolean failed = new AtomicBoolean();
  private volatile CoreStatus coreStatus;
  private volatile long snapshotIndex;
  private volatile boolean stopping;
  private volatile Throwable failure;
  /** The one task that stops the node, started by the first close or fatal failure; null until then. */
  private NodeScheduler.Detached stopper;
  /**
   * Completed once, by the stopper, as its last act: normally after a close, exceptionally with
   * {@link #stoppedException()} after a fatal failure. Never handed out: callers get dependents.
   */
  private final ReadOnlyFuture<Void> stopped = new ReadOnlyFuture<>();

  private NodeRuntime(NodeOptions options) {
    this.options = options;
    this.id = options.id();
    this.scheduler = options.scheduler();
    String prefix = "pontoon-" + id.value() + "-";
    this.metrics = new NodeMetrics(options.registry(), options.groupId(), id, this);
    this.proposals = new PendingProposals(options.maxPendingProposals(), options.maxPendingBytes(), metrics,
        scheduler::nanoTime, !options.proposalLinger().isZero());
    this.reads = new PendingReads(options.maxPendingReads());
    this.inbound = new InboundLimit(options.maxInboundMessages(), options.maxInboundBytes());
    Recovery.Recovered recovered = Recovery.recover(options);
    long appliedIndex = recovered.appliedIndex();
    // The snapshot's, not the applied index: a durable state machine may resume past the snapshot,
    // and status() reports what the latest snapshot covers (RaftNodeStatus.snapshotIndex).
    this.snapshotIndex = recovered.snapshotIndex();
    this.loop = scheduler.newEventLoop(prefix + "loop", LOOP_BATCH, this::runLoopBatch, this::fail);
    this.sync = new SyncWorker(scheduler, prefix + "sync", options.logStore(), metrics, this::onDurable, this::fail);
    this.maxCommandBytes = (long) options.transport().maxMessageBytes() - MESSAGE_OVERHEAD_BYTES
        - ENTRY_OVERHEAD_BYTES;
    this.snapshotSender = new SnapshotSender(id, scheduler, prefix + "snapshot-out", options.snapshotStore(),
        options.snapshotPolicy(), options.transport().maxMessageBytes(), metrics, this::sendFromLoop,
        this::onSnapshotUnreadable, this::fail);
    this.snapshotReceiver = new SnapshotReceiver(id, scheduler, prefix + "snapshot-in", options.snapshotStore(),
        metrics, this::answerFromLoop, this::onWholeSnapshot, this::fail);
    this.snapshots = options.snapshotEvery() <= 0 ? null
        : new SnapshotTaker(scheduler, prefix + "snapshot", options.snapshotEvery(), options.stateMachine(),
            options.snapshotStore(), appliedIndex, options.logStore().lastIndex(),
            this::onSnapshotSaved, this::fail);
    this.apply = new ApplyWorker(scheduler, prefix + "apply", options.stateMachine(), options.snapshotStore(),
        metrics, appliedIndex, recovered.appliedTerm(), recovered.appliedConfig(), new ApplyListener(), snapshots,
        options.applyPlacement(), this::fail);
    this.driver = new CoreDriver(this, recovered.core(), options, metrics, proposals, reads, sync, apply,
        snapshotSender, snapshotReceiver, appliedIndex);
    this.ticks = options.tickSource();
    scheduler.attach(this);
    HardState hardState = recovered.hardState();
    LOG.info("{} recovered: term {}, vote {}, log [{}, {}], snapshot at {}, state machine at {}, commit index {} "
        + "(applied from the log before any leader is heard from)", id, hardState.currentTerm(), hardState.votedFor(),
        options.logStore().firstIndex(), options.logStore().lastIndex(), recovered.snapshotIndex(), appliedIndex,
        recovered.core().commitIndex());
  }

  /**
   * Recovers a node from its stores and starts its threads, transport and ticks.
   *
   * @throws RuntimeException whatever recovery met (a failing store, a snapshot the state
   *     machine cannot read); then nothing was started and the caller still owns the stores
   */
  public static NodeRuntime start(NodeOptions options) {
    Objects.requireNonNull(options, "options");
    NodeRuntime runtime;
    try {
      runtime = new NodeRuntime(options);
    } catch (RuntimeException | Error e) {
      // Recovery failed: nothing was started; drop the meters registered so far.
      NodeMetrics.removeAll(options.registry(), options.groupId(), options.id());
      throw e;
    }
    try {
      runtime.startThreads();
    } catch (RuntimeException | Error e) {
      runtime.beginStop(e).await();
      throw e;
    }
    return runtime;
  }

  private void startThreads() {
    if (snapshots != null) {
      snapshots.start();
    }
    apply.start();
    sync.start();
    snapshotSender.start();
    snapshotReceiver.start();
    loop.start();
    options.transport().start(this::onMessage);
    loop.offer(driver::reportConfiguration);
    // At most one tick task waits in the loop's queue: a stalled loop counts the ticks it missed
    // instead of queueing a task for each (bounded memory), and runs them when it gets to it.
    AtomicInteger pendingTicks = new AtomicInteger();
    Runnable tick = () -> {
      for (int n = pendingTicks.getAndSet(0); n > 0; n--) {
        driver.tick();
      }
    };
    ticks.start(() -> {
      if (pendingTicks.getAndIncrement() == 0) {
        loop.offer(tick);
      } else {
        loop.stalled(); // no offer follows while a tick waits: the queue is asked directly
      }
    });
  }

  /**
   * Transport threads: queues an inbound message to the loop within the inbound bound, or drops
   * it (Raft retries) and counts it.
   */
  private void onMessage(RaftMessage message) {
    if (!id.equals(message.to())) {
      return;
    }
    long size = NodeMetrics.estimatedSize(message);
    if (!inbound.tryAcquire(size)) {
      metrics.dropped("overload");
      return;
    }
    boolean queued = loop.offer(() -> {
      inbound.release(size);
      driver.receive(message, size);
    });
    if (!queued) {
      inbound.release(size);
    }
  }

  private void onDurable(List<Ready> batch) {
    loop.offer(() -> driver.durable(batch));
  }

  /**
   * Event loop: this node's own log is durable up to {@code index}. A snapshot must not cover
   * more, or a crash would leave it ahead of the log.
   */
  void logDurableTo(long index) {
    if (snapshots != null) {
      snapshots.durableTo(index);
    }
  }

  private void onSnapshotSaved(SnapshotMeta meta) {
    snapshotIndex = Math.max(snapshotIndex, meta.lastIncludedIndex());
    loop.offer(() -> driver.snapshotSaved(meta));
  }

  /**
   * Snapshot sender (its own thread): the newest snapshot, at {@code index}, cannot be read to be
   * sent. A new one is captured where the state machine applies, as the snapshot policy's are,
   * without waiting for new entries.
   */
  private void onSnapshotUnreadable(long index) {
    if (snapshots == null) {
      LOG.error("{}: snapshot at {} cannot be read and this node takes no snapshots (snapshotEvery is 0): "
          + "a follower behind the log cannot catch up from this node", id, index);
      return;
    }
    // Through the loop: the apply queue takes items from the event loop only (with the state
    // machine on the loop, an item offered here would run on this sender's thread, beside an apply).
    loop.offer(() -> apply.submit(new ApplyWorker.TakeSnapshot(index)));
  }

  private void onWholeSnapshot(InstallSnapshot whole) {
    loop.offer(() -> driver.receiveWholeSnapshot(whole));
  }

  /** The snapshot sender's message leaves through the event loop, which owns the transport's sends. */
  private void sendFromLoop(RaftMessage message) {
    loop.offer(() -> driver.sendOwn(message));
  }

  /** The snapshot receiver's answer leaves through the event loop too, once its term is durable. */
  private void answerFromLoop(InstallSnapshotResponse answer) {
    loop.offer(() -> driver.answerPiece(answer));
  }

  /**
   * The node's core, for the deterministic simulator's checkers, which read it between two tasks
   * on the one thread that runs every task. Never call it from another thread than the event
   * loop's; hosts have no use for it ({@code RaftServer} does not expose it).
   */
  public RaftCore core() {
    return driver.core();
  }

  /** The fatal failure that stopped this node, or null (see {@code RaftServer}'s failure rules). */
  public Throwable failure() {
    return failure;
  }

  /**
   * The future that completes as the stop ends (see {@code RaftServer.whenStopped}): the same
   * read-only instance for every caller, so a call costs nothing and no caller can complete it.
   */
  public CompletableFuture<Void> whenStopped() {
    return stopped;
  }

  /** This node's id. */
  public NodeId id() {
    return id;
  }

  /** See {@code RaftNode.submit}. */
  public CompletableFuture<Bytes> submit(Bytes command) {
    Objects.requireNonNull(command, "command");
    if (stopping) {
      metrics.rejected("stopped");
      return CompletableFuture.failedFuture(stoppedBeforeAppending());
    }
    if (command.size() > maxCommandBytes) {
      // It could never be sent: appending it would only cost an election per try (§5.3 retries forever).
      metrics.rejected("too_large");
      return CompletableFuture.failedFuture(new CommandTooLargeException(id + ": the command is " + command.size()
          + " bytes but the transport carries at most " + maxCommandBytes + " bytes of command in one message;"
          + " nothing was appended", command.size(), maxCommandBytes));
    }
    String overload = proposals.tryReserve(command.size());
    if (overload != null) {
      metrics.rejected("overloaded");
      return CompletableFuture.failedFuture(new OverloadedException(id + " is overloaded: " + overload));
    }
    CompletableFuture<Bytes> future = new CompletableFuture<>();
    long start = scheduler.nanoTime();
    if (!loop.offer(() -> driver.propose(command, future, start))) {
      proposals.release(command.size());
      future.completeExceptionally(stoppedBeforeAppending());
    }
    return future;
  }

  /** See {@code RaftNode.read}. */
  public CompletableFuture<Bytes> read(Bytes query) {
    Objects.requireNonNull(query, "query");
    if (stopping) {
      return CompletableFuture.failedFuture(stoppedRead());
    }
    String overload = reads.tryReserve();
    if (overload != null) {
      return CompletableFuture.failedFuture(new OverloadedException(id + " is overloaded: " + overload));
    }
    CompletableFuture<Bytes> future = new CompletableFuture<>();
    long deadline = scheduler.nanoTime() + options.readTimeout().toNanos();
    if (!loop.offer(() -> driver.read(query, future, deadline))) {
      reads.release();
      future.completeExceptionally(stoppedRead());
    }
    return future;
  }

  /** See {@code RaftNode.transferLeadership}. */
  public CompletableFuture<Void> transferLeadership(NodeId target) {
    Objects.requireNonNull(target, "target");
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (stopping || !loop.offer(() -> driver.transfer(target, future))) {
      future.completeExceptionally(stoppedException());
    }
    return future;
  }

  /** See {@code RaftNode.changeMembership}. */
  public CompletableFuture<ClusterConfig> changeMembership(List<MemberChange> changes) {
    Objects.requireNonNull(changes, "changes");
    List<MemberChange> copy = List.copyOf(changes);
    CompletableFuture<ClusterConfig> future = new CompletableFuture<>();
    if (stopping || !loop.offer(() -> driver.changeMembership(copy, future))) {
      future.completeExceptionally(stoppedException());
    }
    return future;
  }

  /**
   * See {@code RaftNode.status}: built from the loop's last published core status, which a
   * stopping node no longer updates, hence {@link Role#STOPPED} from the moment the stop begins.
   * Never blocks.
   */
  public RaftNodeStatus status() {
    CoreStatus s = coreStatus;
    long applied = Math.min(apply.lastApplied(), Math.max(s.commitIndex(), snapshotIndex));
    if (stopping) {
      return new RaftNodeStatus(id, Role.STOPPED, s.term(), null, s.commitIndex(), applied, snapshotIndex,
          s.lastIndex(), s.config(), Map.of());
    }
    Map<NodeId, FollowerProgress> followers = new HashMap<>();
    s.progress().forEach((peer, p) -> {
      if (!peer.equals(id)) {
        followers.put(peer, new FollowerProgress(p.matchIndex(), p.nextIndex(), Math.max(0, s.lastIndex() - p.matchIndex())));
      }
    });
    return new RaftNodeStatus(id, s.role(), s.term(), s.leader(), s.commitIndex(), applied, snapshotIndex,
        s.lastIndex(), s.config(), followers);
  }

  /**
   * Stops the node (see {@code RaftNode.close}). Idempotent. From a plain thread it waits until
   * every node thread has ended. From a node thread of this node or of any other
   * ({@link NodeThreads}: a queue's thread, a batch of an event loop wherever it runs, the stop;
   * where callbacks of futures run) it starts the stop and returns without waiting: it cannot wait
   * for its own thread, and a wait for another node's stop there can close a cycle of waits
   * (two nodes' callbacks closing each other, or a member's batch on another member's loop thread
   * under {@link NodeScheduler#sharedLoopThreads()}; or, on a thread of the host's executor that
   * has run a node's batches ({@link NodeScheduler#eventLoopOn}), a wait for a stop that needs
   * that very thread). {@link #whenStopped()} tells when it ends.
   */
  public void close() {
    NodeScheduler.Detached stop = beginStop(null);
    if (!isNodeThread() && !NodeThreads.isCurrent()) {
      stop.await();
    }
  }

  void publish(CoreStatus status) {
    coreStatus = status;
  }

  boolean isStopping() {
    return stopping;
  }

  /** The exception with which requests fail once the node stops. */
  NodeStoppedException stoppedException() {
    Throwable cause = failure;
    return cause == null ? new NodeStoppedException(id + " is stopped")
        : new NodeStoppedException(id + " stopped after a fatal failure: " + cause, cause);
  }

  /**
   * The exception for a write refused or dropped because the node is stopping, before its
   * command reached the core: nothing of it was appended anywhere, so it can never commit and a
   * retry on another node is safe ({@link NodeStoppedException#notAppended}).
   */
  NodeStoppedException stoppedBeforeAppending() {
    return stoppedWithoutEffect("the command was not appended");
  }

  /**
   * The exception for a read failed because the node is stopping: a read never enters the log, so
   * it can never take effect and a retry on another node is safe ({@code mayStillCommit()} false,
   * RaftException's contract).
   */
  NodeStoppedException stoppedRead() {
    return stoppedWithoutEffect("the read changed nothing");
  }

  /** {@link #stoppedException()}, saying {@code why} the request can never take effect. */
  private NodeStoppedException stoppedWithoutEffect(String why) {
    NodeStoppedException stopped = stoppedException();
    return NodeStoppedException.notAppended(stopped.getMessage() + "; " + why, stopped.getCause());
  }

  double commitIndex() {
    CoreStatus s = coreStatus;
    return s == null ? Double.NaN : s.commitIndex();
  }

  double term() {
    CoreStatus s = coreStatus;
    return s == null ? Double.NaN : s.term();
  }

  double lastApplied() {
    ApplyWorker a = apply;
    return a == null ? Double.NaN : a.lastApplied();
  }

  double pendingProposals() {
    PendingProposals p = proposals;
    return p == null ? Double.NaN : p.count();
  }

  double followerLag(NodeId peer) {
    CoreStatus s = coreStatus;
    CoreStatus.PeerProgress p = s == null ? null : s.progress().get(peer);
    return p == null ? Double.NaN : Math.max(0, s.lastIndex() - p.matchIndex());
  }

  private void runLoopBatch(List<Runnable> batch) {
    // Marks a thread the loop borrows (the host's executor's) as a node thread for the batch.
    boolean entered = NodeThreads.enter();
    try {
      for (Runnable task : batch) {
        try {
          task.run();
        } catch (Throwable t) {
          fail(t);
        }
      }
      if (!stopping) {
        try {
          driver.afterBatch();
        } catch (Throwable t) {
          fail(t);
        }
      }
    } finally {
      NodeThreads.exit(entered);
    }
  }

  /** A fatal failure (storage, state machine, core): stop the node, reported once. */
  private void fail(Throwable cause) {
    if (stopping || !failed.compareAndSet(false, true)) {
      return;
    }
    failure = cause;
    LOG.error("{} stopped after a fatal failure: {}", id, cause.toString(), cause);
    beginStop(cause);
  }

  /**
   * Starts the stop once, as a detached task of the scheduler (never on a node thread, which the
   * stop waits for), and returns it; later calls return the same task. From here on requests
   * are refused and the apply thread applies no further entry.
   */
  private NodeScheduler.Detached beginStop(Throwable cause) {
    synchronized (stopLock) {
      if (stopper == null) {
        stopping = true;
        apply.stopApplying();
        // The stop completes futures, so their callbacks run there: a node thread too.
        stopper = scheduler.runDetached("pontoon-" + id.value() + "-stop", () -> {
          boolean entered = NodeThreads.enter();
          try {
            stop(cause);
          } finally {
            NodeThreads.exit(entered);
          }
        });
      }
      return stopper;
    }
  }

  /**
   * Whether the caller runs inside one of this node's queues (loop, sync, apply, snapshot): with
   * the production scheduler a case of {@link NodeThreads#isCurrent()}, but a host's scheduler
   * may run queues elsewhere.
   */
  private boolean isNodeThread() {
    return loop.isCurrentThread() || sync.isCurrentThread() || apply.isCurrentThread()
        || (snapshots != null && snapshots.isCurrentThread()) || snapshotSender.isCurrentThread()
        || snapshotReceiver.isCurrentThread();
  }

  /**
   * The stop itself, run once by the detached stopper: no lock is held, so a future's callback
   * may call {@link #close()} (it returns at once) or anything else.
   */
  private void stop(Throwable cause) {
    try {
      stopThreadsAndStores(cause);
    } catch (RuntimeException | Error e) {
      // A bug of the stop itself: the stores may still be open, so the host must not read it as a clean stop.
      stopped.fail(e);
      throw e;
    }
    // Every node thread has ended, so the failure is final: a node thread that failed before
    // the stop began set it, and none is left to set it now (fail() ignores a stopping node).
    if (failure == null) {
      stopped.succeed(null);
    } else {
      stopped.fail(stoppedException());
    }
  }

  private void stopThreadsAndStores(Throwable cause) {
    closeQuietly(ticks, "tick source");
    loop.stop();
    sync.stop();
    apply.stop();
    snapshotSender.stop();
    snapshotReceiver.stop();
    if (snapshots != null) {
      snapshots.stop();
      snapshots.discardHeld();
    }
    // The loop has ended: run what it never ran, so that each request in it is failed.
    for (Runnable task : loop.drain()) {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.debug("{}: task failed while stopping", id, e);
      }
    }
    driver.failAll(stoppedException());
    closeQuietly(options.transport(), "transport");
    closeQuietly(options.logStore(), "log store");
    closeQuietly(options.snapshotStore(), "snapshot store");
    metrics.close();
    LOG.info("{} stopped{}", id, cause == null ? "" : " after a fatal failure");
  }

  private void closeQuietly(AutoCloseable resource, String what) {
    try {
      resource.close();
    } catch (Exception e) {
      LOG.warn("{}: closing the {} failed", id, what, e);
    }
  }

  /** Waits for {@code t} to end; an interrupt meanwhile is kept for the caller, not lost. */
  static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** See {@link CoreDriver#heldMessageCount}; loop only (for tests). */
  int heldMessageCount() {
    return driver.heldMessageCount();
  }

  /** Hands {@code task} to the event loop (a timer's work); dropped once the node is stopping. */
  void onLoop(Runnable task) {
    loop.offer(task);
  }

  /** The apply thread's reports, routed to the pending requests. */
  private final class ApplyListener implements ApplyWorker.Listener {
    /** Built only for an overwritten proposal; one instance, not a new lambda per applied entry. */
    private final Supplier<RaftException> overwritten = () -> new NotLeaderException(id, coreStatus.leader());

    @Override
    public void applied(LogEntry entry, Bytes result) {
      proposals.applied(entry, result, overwritten);
    }

    @Override
    public void restored(Snapshot snapshot) {
      snapshotIndex = snapshot.meta().lastIncludedIndex();
      proposals.failUpTo(snapshotIndex, new IndeterminateStateException(
          "a snapshot up to index " + snapshotIndex + " replaced the log before this command was applied"));
    }

    @Override
    public boolean readLeft(PendingRead read) {
      return reads.leave(read);
    }

    @Override
    public void appliedThrough(long index) {
      loop.offer(() -> driver.appliedTo(index));
    }
  }
}
