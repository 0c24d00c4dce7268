package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.statemachine.StateMachine.SnapshotWriter;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.SnapshotStore.SnapshotSink;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a snapshot every {@code every} applied entries (§7): the state machine captures its state
 * quickly on the apply thread, then this worker's own thread streams it into the
 * {@link SnapshotStore} (never into memory), commits it and reports it, so that the core can send it to lagging followers and
 * the log up to it can be discarded. One snapshot at a time; a failure to write or save it is a
 * storage failure, fatal for the node. A snapshot is saved only once this node's own log has
 * made durable every entry it covers, so that it is never ahead of the log after a crash.
 *
 * <p>It also takes one at once, whatever {@code every} says, when the newest stored snapshot
 * cannot be read to be sent to a follower ({@link #replaceUnreadable}), through the same capture
 * and the same guards.
 */
final class SnapshotTaker {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);

  /* implementation notes
   *
   * A leader applies entries once a quorum of followers stored them, possibly before its own
   * write of them landed (thesis §10.2.1); a follower may apply before its sync too. A snapshot of
   * that state saved at once would survive a crash that loses those entries here and leave the
   * snapshot ahead of the log at restart. So the state is captured at any applied index, but the
   * snapshot is saved (and the log compacted behind it) only once this node's log is durable up
   * to it. Deferring the save rather than the capture matters under load: when this node's disk
   * is the slowest of a quorum, every apply runs ahead of its own writes, and a rule on the
   * capture would never let a snapshot happen.
   *
   * The event loop publishes the durable index; the worker holds a written snapshot until it is
   * covered. Lost wake-ups are impossible: the worker publishes heldIndex then reads
   * durableIndex, the loop publishes durableIndex then reads heldIndex (both volatile), so at
   * least one of them sees the other's write.
   */

  /** A state captured on the apply thread at {@code index}, to be written. */
  private record Capture(long index, long term, ClusterConfig config, SnapshotWriter writer) {}

  /** Wakes the worker: the log became durable far enough for the snapshot it holds. */
  private static final Object DURABLE = new Object();

  private final long every;
  private final StateMachine stateMachine;
  private final SnapshotStore store;
  private final Consumer<SnapshotMeta> onSaved;
  private final TaskQueue<Object> thread;
  /** True from a capture until its snapshot is saved: one snapshot at a time. */
  private final AtomicBoolean writing = new AtomicBoolean();
  /** Index of the latest snapshot taken or restored; apply thread only. */
  private long lastIndex;
  private boolean unsupported;
  /** Index up to which this node's own log is durable; written by the event loop. */
  private volatile long durableIndex;
  /** A snapshot written and waiting for the log to be durable up to it, or null; worker only. */
  private SnapshotSink held;
  private SnapshotMeta heldMeta;
  /** Index of {@link #held}, or {@code Long.MAX_VALUE} when none; written by the worker. */
  private volatile long heldIndex = Long.MAX_VALUE;

  SnapshotTaker(NodeScheduler scheduler, String threadName, long every, StateMachine stateMachine, SnapshotStore store,
      long restoredIndex, long durableIndex, Consumer<SnapshotMeta> onSaved,
      Consumer<Throwable> onFatal) {
    this.every = every;
    this.stateMachine = stateMachine;
    this.store = store;
    this.lastIndex = restoredIndex;
    this.durableIndex = durableIndex;
    this.onSaved = onSaved;
    this.thread = scheduler.newQueue(threadName, 16, this::handle, onFatal);
  }

  void start() {
    thread.start();
  }

  void stop() {
    thread.stop();
  }

  /** Whether the caller runs on this worker's thread. */
  boolean isCurrentThread() {
    return thread.isCurrentThread();
  }

  /** Event loop: this node's log is now durable up to {@code index}. */
  void durableTo(long index) {
    durableIndex = index;
    if (index >= heldIndex) {
      thread.offer(DURABLE);
    }
  }

  /**
   * Apply thread: the state now holds the log up to {@code index} (of {@code term}), where
   * {@code config} is in force (null while a joining node knows none: no snapshot then).
   */
  void applied(long index, long term, ClusterConfig config) {
    if (index - lastIndex < every) {
      return;
    }
    capture(index, term, config);
  }

  /**
   * Apply thread: the newest stored snapshot, at {@code unreadableIndex}, cannot be read (it fails
   * its checksum, or cannot be opened), so it cannot be sent to a follower behind the log. Takes a
   * snapshot of the state at {@code index} now, rather than after {@code every} more entries,
   * which an idle cluster never applies. Nothing is taken while a snapshot is being written (it
   * comes first; the sender asks again at the core's next request) nor when nothing was applied
   * past the unreadable one (the store keeps only a newer snapshot); a failure to write it is
   * fatal, as for any snapshot: so this never repeats more often than the core asks.
   */
  void replaceUnreadable(long unreadableIndex, long index, long term, ClusterConfig config) {
    if (index <= unreadableIndex) {
      LOG.error("snapshot at {} cannot be read and nothing is applied past it: a new snapshot is taken at the first "
          + "request to send it after an entry is applied", unreadableIndex);
      return;
    }
    if (capture(index, term, config)) {
      LOG.warn("snapshot at {} cannot be read: taking a new snapshot at {}", unreadableIndex, index);
    }
  }

  /** Captures the state at {@code index} unless a guard says no; true if it did. */
  private boolean capture(long index, long term, ClusterConfig config) {
    if (unsupported || writing.get() || config == null) {
      return false;
    }
    SnapshotWriter writer;
    try {
      writer = stateMachine.captureSnapshot();
    } catch (UnsupportedOperationException e) {
      unsupported = true;
      LOG.warn("the state machine does not support snapshots; the log will not be compacted");
      return false;
    }
    lastIndex = index;
    writing.set(true);
    thread.offer(new Capture(index, term, config, writer));
    return true;
  }

  /** Apply thread: a snapshot at {@code index} replaced the state. */
  void restored(long index) {
    lastIndex = Math.max(lastIndex, index);
  }

  private void handle(List<Object> batch) throws IOException {
    for (Object item : batch) {
      if (item instanceof Capture c) {
        SnapshotMeta meta = new SnapshotMeta(c.index(), c.term(), c.config());
        SnapshotSink sink = store.create(meta);
        try {
          c.writer().writeTo(sink.stream());
        } catch (IOException | RuntimeException e) {
          sink.close();
          throw e;
        }
        held = sink;
        heldMeta = meta;
        heldIndex = c.index();
      }
      saveIfDurable();
    }
  }

  /** Commits the held snapshot once this node's log is durable up to it. */
  private void saveIfDurable() {
    if (held == null || heldMeta.lastIncludedIndex() > durableIndex) {
      return;
    }
    SnapshotSink sink = held;
    SnapshotMeta meta = heldMeta;
    held = null;
    heldMeta = null;
    heldIndex = Long.MAX_VALUE;
    try (sink) {
      sink.commit();
    }
    writing.set(false);
    onSaved.accept(meta);
  }

  /** Discards a snapshot written but not committed (the node stops). */
  void discardHeld() {
    if (held != null) {
      held.close();
      held = null;
    }
  }
}
