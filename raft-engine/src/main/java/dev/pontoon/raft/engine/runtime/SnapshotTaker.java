package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.statemachine.StateMachine;
import dev.pontoon.raft.statemachine.StateMachine.SnapshotWriter;
import dev.pontoon.raft.storage.SnapshotStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a snapshot every {@code every} applied entries (§7): the state machine captures its state
 * quickly on the apply thread, then this worker's own thread writes it, saves it in the
 * {@link SnapshotStore} and reports it, so that the core can send it to lagging followers and
 * the log up to it can be discarded. One snapshot at a time; a failure to write or save it is a
 * storage failure, fatal for the node.
 */
final class SnapshotTaker {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotTaker.class);

  /** A state captured on the apply thread at {@code index}, to be written. */
  private record Capture(long index, long term, SnapshotWriter writer) {}

  private final long every;
  private final StateMachine stateMachine;
  private final SnapshotStore store;
  private final Supplier<ClusterConfig> config;
  private final Consumer<Snapshot> onSaved;
  private final TaskQueue<Capture> thread;
  private final AtomicBoolean writing = new AtomicBoolean();
  /** Index of the latest snapshot taken or restored; apply thread only. */
  private long lastIndex;
  private boolean unsupported;

  SnapshotTaker(NodeScheduler scheduler, String threadName, long every, StateMachine stateMachine, SnapshotStore store,
      Supplier<ClusterConfig> config, long restoredIndex, Consumer<Snapshot> onSaved, Consumer<Throwable> onFatal) {
    this.every = every;
    this.stateMachine = stateMachine;
    this.store = store;
    this.config = config;
    this.lastIndex = restoredIndex;
    this.onSaved = onSaved;
    this.thread = scheduler.newQueue(threadName, 1, this::write, onFatal);
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

  /** Apply thread: the state now holds the log up to {@code index} (of {@code term}). */
  void applied(long index, long term) {
    if (unsupported || index - lastIndex < every || writing.get()) {
      return;
    }
    SnapshotWriter writer;
    try {
      writer = stateMachine.captureSnapshot();
    } catch (UnsupportedOperationException e) {
      unsupported = true;
      LOG.warn("the state machine does not support snapshots; the log will not be compacted");
      return;
    }
    lastIndex = index;
    writing.set(true);
    thread.offer(new Capture(index, term, writer));
  }

  /** Apply thread: a snapshot at {@code index} replaced the state. */
  void restored(long index) {
    lastIndex = Math.max(lastIndex, index);
  }

  private void write(List<Capture> batch) throws IOException {
    for (Capture c : batch) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      c.writer().writeTo(out);
      Snapshot snapshot = new Snapshot(new SnapshotMeta(c.index(), c.term(), config.get()), Bytes.wrap(out.toByteArray()));
      store.save(snapshot);
      writing.set(false);
      onSaved.accept(snapshot);
    }
  }
}
