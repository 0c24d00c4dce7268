package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Group commit: the thread that makes {@link Ready}s durable. It takes every queued Ready at
 * once, writes them to the {@link LogStore} in production order (conflicting suffix truncated
 * first, then the entries, then the hard state), calls {@link LogStore#sync()} once for the whole
 * batch, and hands the batch back, still in order, for the event loop to send the
 * {@code sendAfterSync} messages and {@code advance} the core.
 *
 * <p>While one batch syncs, the event loop goes on: new proposals and acknowledgements pile up
 * in the queue and share the next sync. Any exception from the stores is fatal.
 */
final class SyncWorker {

  private final LogStore logStore;
  private final NodeMetrics metrics;
  private final Consumer<List<Ready>> onDurable;
  private final TaskQueue<Object> thread;
  private final NodeScheduler scheduler;

  /**
   * Discard the log up to {@code index} (a snapshot's index less the catch-up margin, §7), in
   * order with the writes around it.
   */
  private record Compaction(long index) {}

  SyncWorker(NodeScheduler scheduler, String threadName, LogStore logStore,
      NodeMetrics metrics, Consumer<List<Ready>> onDurable, Consumer<Throwable> onFatal) {
    this.scheduler = scheduler;
    this.logStore = logStore;
    this.metrics = metrics;
    this.onDurable = onDurable;
    this.thread = scheduler.newQueue(threadName, 4096, this::persist, onFatal);
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

  /** Queues a Ready to persist (or only to order, when it writes nothing); false if stopping. */
  boolean submit(Ready ready) {
    return thread.offer(ready);
  }

  /** Queues the discarding of the log up to {@code index}, at most a saved snapshot's last entry. */
  boolean compact(long index) {
    return thread.offer(new Compaction(index));
  }

  private void persist(List<Object> jobs) {
    boolean mustSync = false;
    long entries = 0;
    List<Ready> batch = new ArrayList<>(jobs.size());
    for (Object job : jobs) {
      if (job instanceof Compaction c) {
        compactTo(c);
        continue;
      }
      Ready ready = (Ready) job;
      batch.add(ready);
      if (ready.snapshotToInstall() != null) {
        install(ready.snapshotToInstall());
        mustSync = true;
      }
      // Figure 2: currentTerm and votedFor are persistent state, updated before responding to RPCs.
      if (ready.hardState() != null) {
        logStore.saveHardState(ready.hardState());
      }
      List<LogEntry> append = ready.entriesToAppend();
      if (!append.isEmpty()) {
        long first = append.get(0).index();
        // §5.3: if an existing entry conflicts with a new one, delete it and all that follow it.
        if (first <= logStore.lastIndex()) {
          logStore.truncateSuffix(first);
        }
        logStore.append(append);
        entries += append.size();
      }
      mustSync |= ready.mustSync() || ready.hardState() != null || !append.isEmpty();
    }
    if (mustSync) {
      long start = scheduler.nanoTime();
      logStore.sync();
      metrics.fsyncLatency.record(scheduler.nanoTime() - start, TimeUnit.NANOSECONDS);
      if (entries > 0) {
        metrics.appendBatchSize.record(entries);
      }
    }
    if (!batch.isEmpty()) {
      onDurable.accept(batch);
    }
  }

  /**
   * Only while the log still holds that entry: a snapshot installed since may have replaced it.
   * Entries up to a snapshot's index are committed, so the entry there is never rewritten: its
   * term is read from the log.
   */
  private void compactTo(Compaction c) {
    long index = c.index();
    if (index >= logStore.firstIndex() && index <= logStore.lastIndex()) {
      logStore.truncatePrefix(index, logStore.term(index));
    }
  }

  /**
   * §7: discard the log the snapshot replaces (all of it if it conflicts). The snapshot itself
   * is already in the snapshot store: the receiver committed it, checked, before the core saw it.
   */
  private void install(Snapshot snapshot) {
    long index = snapshot.meta().lastIncludedIndex();
    long term = snapshot.meta().lastIncludedTerm();
    boolean logAgrees = index >= logStore.firstIndex() - 1 && index <= logStore.lastIndex()
        && logStore.term(index) == term;
    if (!logAgrees && logStore.lastIndex() >= logStore.firstIndex()) {
      // Figure 13 step 7: a log that does not hold the snapshot's last entry is discarded entirely.
      logStore.truncateSuffix(logStore.firstIndex());
    }
    logStore.truncatePrefix(index, term);
  }
}
