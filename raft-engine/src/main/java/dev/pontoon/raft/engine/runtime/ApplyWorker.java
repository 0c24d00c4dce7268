package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.EntryKind;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.SnapshotStore.StoredSnapshot;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The apply thread: applies committed entries to the {@link StateMachine} in log order, installs
 * snapshots, and runs linearizable reads once their read index is applied, so that a query never
 * overlaps an apply.
 *
 * <p>An exception from {@code StateMachine.apply} or a snapshot restore is fatal for the node (the
 * replicas could otherwise diverge); an exception from a query fails only that read, and an
 * {@link Error} from a query fails that read with it and then stops the node.
 *
 * <p>Where its tasks run is the node's {@link ApplyPlacement}: on its own thread, always on the
 * event loop that submits them ({@link InlineQueue}), or on the loop while that is quick and the
 * thread idle ({@link AdaptiveQueue}, the default); in the same order in every case.
 */
final class ApplyWorker {

  /** Work for the apply thread. */
  sealed interface Task permits Entries, Read, Restore, TakeSnapshot {}

  /** Committed entries, in log order. */
  record Entries(List<LogEntry> entries) implements Task {}

  /** A read to answer once {@code readIndex} is applied. */
  record Read(long readIndex, PendingRead read) implements Task {}

  /**
   * A snapshot to install in place of the whole state: its bytes are read from the snapshot
   * store, where the receiver committed it (a newer one there is restored instead: it is of
   * committed entries too, and those in between are then skipped as already applied).
   */
  record Restore(Snapshot snapshot) implements Task {}

  /**
   * Take a snapshot of the state now, past the newest stored one, at {@code unreadableIndex}, which
   * cannot be read ({@link SnapshotTaker#replaceUnreadable}).
   */
  record TakeSnapshot(long unreadableIndex) implements Task {}

  /** Told of each applied entry (with its result for a command) and of each restored snapshot. */
  interface Listener {
    void applied(LogEntry entry, Bytes result);

    void restored(Snapshot snapshot);

    /** Every committed entry handed over up to {@code index} is now applied (or was already). */
    void appliedThrough(long index);

    /** {@code read} leaves the node, before it is answered; true when this caller answers it. */
    boolean readLeft(PendingRead read);
  }

  private final StateMachine stateMachine;
  private final SnapshotStore store;
  private final NodeMetrics metrics;
  private final NodeScheduler scheduler;
  private final Listener listener;
  private final TaskQueue<Task> thread;
  private final PriorityQueue<Read> waiting =
      new PriorityQueue<>((a, b) -> Long.compare(a.readIndex(), b.readIndex()));
  private final SnapshotTaker snapshots;
  private volatile long lastApplied;
  /** Term of the entry at {@code lastApplied}; apply thread only. */
  private long lastAppliedTerm;
  /**
   * The configuration in force at {@code lastApplied} (the latest CONFIGURATION entry applied, or
   * the restored snapshot's), which a snapshot taken there records (§7); null while none is known.
   */
  private ClusterConfig appliedConfig;
  /** Set once the node stops: no further entry is applied, not even the rest of a batch. */
  private volatile boolean stopping;

  ApplyWorker(NodeScheduler scheduler, String threadName, StateMachine stateMachine, SnapshotStore store,
      NodeMetrics metrics, long appliedIndex, long appliedTerm, ClusterConfig appliedConfig, Listener listener,
      SnapshotTaker snapshots, ApplyPlacement placement, Consumer<Throwable> onFatal) {
    this.stateMachine = stateMachine;
    this.store = store;
    this.metrics = metrics;
    this.scheduler = scheduler;
    this.listener = listener;
    this.snapshots = snapshots;
    this.lastApplied = appliedIndex;
    this.lastAppliedTerm = appliedTerm;
    this.appliedConfig = appliedConfig;
    this.thread = switch (placement) {
      case APPLY_THREAD -> scheduler.newQueue(threadName, 1024, this::handle, onFatal);
      case EVENT_LOOP -> new InlineQueue<>(this::handle, onFatal);
      // A restore reads a whole snapshot: never on the loop.
      case ADAPTIVE -> new AdaptiveQueue<>(scheduler, threadName, 1024, this::handle, onFatal,
          AdaptiveQueue.DEFAULT_BUDGET_NANOS, task -> !(task instanceof Restore));
    };
  }

  void start() {
    thread.start();
  }

  /** Any thread: from now on no entry is applied, restored or read, even within the current batch. */
  void stopApplying() {
    stopping = true;
  }

  /** Stops the thread; waits for its current batch unless called from it. */
  void stop() {
    stopping = true;
    thread.stop();
  }

  /** Whether the caller runs on the apply thread. */
  boolean isCurrentThread() {
    return thread.isCurrentThread();
  }

  /** Index of the last entry applied (or restored from a snapshot). Any thread. */
  long lastApplied() {
    return lastApplied;
  }

  /** Queues {@code task}; false if the thread is stopping. */
  boolean submit(Task task) {
    return thread.offer(task);
  }

  private void handle(List<Task> batch) throws IOException {
    for (Task task : batch) {
      if (stopping) {
        // The node is stopping (a callback may have closed it): its stores are about to close.
        return;
      }
      if (task instanceof Entries e) {
        apply(e.entries());
        if (snapshots != null && !stopping) {
          snapshots.applied(lastApplied, lastAppliedTerm, appliedConfig);
        }
        listener.appliedThrough(e.entries().get(e.entries().size() - 1).index());
      } else if (task instanceof Read r) {
        waiting.add(r);
      } else if (task instanceof Restore r) {
        restore(r.snapshot());
      } else if (task instanceof TakeSnapshot t) {
        if (snapshots != null) {
          snapshots.replaceUnreadable(t.unreadableIndex(), lastApplied, lastAppliedTerm, appliedConfig);
        }
      }
      serveReads();
    }
  }

  private void apply(List<LogEntry> entries) {
    for (LogEntry e : entries) {
      if (stopping) {
        // Between entries: a result's callback may have closed the node.
        return;
      }
      if (e.index() <= lastApplied) {
        // Already in the state (re-delivered after a snapshot restore): apply each index once.
        continue;
      }
      if (e.index() != lastApplied + 1) {
        throw new IllegalStateException("committed entry " + e.index() + " does not follow the last applied index "
            + lastApplied + ": the log would be applied with a hole");
      }
      Bytes result = e.kind() == EntryKind.COMMAND ? stateMachine.apply(e.index(), e.payload()) : null;
      lastApplied = e.index();
      lastAppliedTerm = e.term();
      if (e.kind() == EntryKind.CONFIGURATION) {
        appliedConfig = ClusterConfig.fromBytes(e.payload());
      }
      listener.applied(e, result);
    }
  }

  private void restore(Snapshot snapshot) throws IOException {
    long index = snapshot.meta().lastIncludedIndex();
    if (index <= lastApplied) {
      return;
    }
    StoredSnapshot stored = store.newest().filter(s -> s.meta().lastIncludedIndex() >= index)
        .orElseThrow(() -> new IllegalStateException("snapshot " + index + " to install is not in the snapshot store"));
    long start = scheduler.nanoTime();
    InputStream opened;
    while (true) {
      try {
        opened = stored.open();
        break;
      } catch (IOException e) {
        // No stream holds a snapshot between newest() and open(): a newer one committed there (a
        // second one received, with a store keeping one) may have pruned it (SnapshotStore,
        // "Readers", rule 3). A newer snapshot is of committed entries too (§7): restore that
        // instead. Nothing of the state machine was touched yet. With none newer the snapshot
        // itself cannot be read, which stops the node.
        long failed = stored.meta().lastIncludedIndex();
        stored = store.newest().filter(s -> s.meta().lastIncludedIndex() > failed).orElseThrow(() -> e);
      }
    }
    try (InputStream in = opened) {
      restoreInto(stateMachine, in);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    metrics.snapshotsInstalled.increment();
    metrics.snapshotBytesInstalled.increment(stored.size());
    metrics.snapshotInstallDuration.record(scheduler.nanoTime() - start, TimeUnit.NANOSECONDS);
    lastApplied = stored.meta().lastIncludedIndex();
    lastAppliedTerm = stored.meta().lastIncludedTerm();
    appliedConfig = stored.meta().config();
    if (snapshots != null) {
      snapshots.restored(lastApplied);
    }
    listener.restored(new Snapshot(stored.meta(), dev.pontoon.raft.log.Bytes.EMPTY));
  }

  /**
   * Restores {@code stateMachine} from {@code in}, then reads what it left, so that the stream
   * checks the whole against its checksum. The state machine gets a view whose {@code close()}
   * does nothing: the stream is the caller's, and a state machine that closes what it read (a
   * {@code try (DataInputStream d = ...)}, which its contract does not forbid) would otherwise
   * make the check read a closed stream and fail a restore that succeeded, stopping the node, or
   * keeping it from starting. Recovery restores through it too.
   */
  static void restoreInto(StateMachine stateMachine, InputStream in) throws IOException {
    stateMachine.restoreSnapshot(new FilterInputStream(in) {
      @Override
      public void close() {
        // the caller closes the stream, after the checksum is read
      }
    });
    in.transferTo(OutputStream.nullOutputStream());
  }

  private void serveReads() {
    Read head;
    while (!stopping && (head = waiting.peek()) != null && head.readIndex() <= lastApplied) {
      waiting.poll();
      PendingRead read = head.read();
      // It leaves first, freeing its room, so that the caller's callback may read again.
      if (!listener.readLeft(read) || read.future().isDone()) {
        continue; // timed out meanwhile, or already failed: nothing to answer
      }
      // It left PendingReads above, so the stop's failAll no longer sees it: whatever the query
      // throws, this read is answered here. An exception fails only this read; an Error (an
      // assert in the state machine, a stack overflow) is then rethrown and stops the node, as
      // one from apply does.
      try {
        read.future().complete(stateMachine.query(read.query()));
      } catch (Throwable t) {
        read.future().completeExceptionally(t);
        if (t instanceof Error e) {
          throw e;
        }
      }
    }
  }
}
