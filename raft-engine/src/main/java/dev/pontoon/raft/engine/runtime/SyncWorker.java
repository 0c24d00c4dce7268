package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.engine.core.Ready;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.storage.LogStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Group commit: the thread that makes {@link Ready}s durable. It takes every queued Ready at
 * once, writes them to the {@link LogStore} in production order (conflicting suffix truncated
 * first, then the entries, then the hard state), calls {@link LogStore#sync()} once for the whole
 * batch when any of them changed term, vote or the log (a commit index alone never asks for one),
 * and hands the batch back, still in order, for the event loop to send the
 * {@code sendAfterSync} messages and {@code advance} the core.
 *
 * <p>While one batch syncs, the event loop goes on: new proposals and acknowledgements pile up
 * in the queue and share the next sync. Any exception from the stores is fatal.
 *
 * <p>A node that does not lead may instead write on its event loop ({@link #persistHere}), as
 * etcd and hashicorp/raft followers do: it has nothing to send in parallel with the write, and
 * the two thread hand-offs per write cost more than they save. Messages that arrive during the
 * sync pile up in the loop's queue and share the next one, so group commit is kept. The store
 * still has one writer at a time: the loop writes only while this worker has nothing queued
 * ({@link #isIdle}), and the worker's last write happens-before that check.
 */
final class SyncWorker {

  private final LogStore logStore;
  private final NodeMetrics metrics;
  private final Consumer<List<Ready>> onDurable;
  private final TaskQueue<Object> thread;
  private final NodeScheduler scheduler;
  /** Jobs offered and not yet carried out (written, and synced where needed). */
  private final AtomicInteger queued = new AtomicInteger();

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
    return offer(ready);
  }

  private boolean offer(Object job) {
    queued.incrementAndGet();
    if (thread.offer(job)) {
      return true;
    }
    queued.decrementAndGet();
    return false;
  }

  /**
   * Whether every job offered so far has been written (and synced where it asked for one). Then
   * the caller may write the store itself: this worker's writes happen-before this returns true.
   */
  boolean isIdle() {
    return queued.get() == 0;
  }

  /**
   * Writes {@code ready} to the store on the caller's thread, and syncs if it asks for a sync;
   * only while {@link #isIdle} and with no other write under way. The caller then sends its
   * {@code sendAfterSync} and advances the core itself.
   */
  void persistHere(Ready ready) {
    long entries = write(ready);
    if (ready.mustSync()) {
      sync(entries);
    }
  }

  /**
   * Saves a commit-index hint on the caller's thread, without a sync; under the same rule as
   * {@link #persistHere}.
   */
  void saveCommitHintHere(HardState state) {
    logStore.saveHardState(state);
  }

  /** Save a hard state whose commit index alone changed, in order with the writes around it; no sync. */
  private record CommitHint(HardState state) {}

  /**
   * Queues the saving of a hard state that differs from the last one only in its commit index:
   * written after every write queued before it, synced by no one but the next batch that syncs
   * anyway (the commit index is a hint: see {@link HardState}).
   */
  boolean saveCommitHint(HardState state) {
    return offer(new CommitHint(state));
  }

  /** Queues the discarding of the log up to {@code index}, at most a saved snapshot's last entry. */
  boolean compact(long index) {
    return offer(new Compaction(index));
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
      if (job instanceof CommitHint h) {
        logStore.saveHardState(h.state());
        continue;
      }
      Ready ready = (Ready) job;
      batch.add(ready);
      entries += write(ready);
      // Term, vote or the log changed (Ready#mustSync); a hard state that changed only in its
      // commit index (a hint) adds no sync: it piggybacks on the next one that happens anyway.
      mustSync |= ready.mustSync();
    }
    if (mustSync) {
      sync(entries);
    }
    // Counted down before the hand-back: once the loop sees the worker idle, every write above is
    // done, and the loop still advances this batch before writing anything itself (its
    // syncsInFlight counts the batch until then).
    queued.addAndGet(-jobs.size());
    if (!batch.isEmpty()) {
      onDurable.accept(batch);
    }
  }

  /** Writes one Ready (snapshot's discard, conflicting suffix, entries, hard state); the entry count. */
  private long write(Ready ready) {
    if (ready.snapshotToInstall() != null) {
      install(ready.snapshotToInstall());
    }
    List<LogEntry> append = ready.entriesToAppend();
    if (!append.isEmpty()) {
      long first = append.get(0).index();
      // §5.3: if an existing entry conflicts with a new one, delete it and all that follow it.
      if (first <= logStore.lastIndex()) {
        logStore.truncateSuffix(first);
      }
      logStore.append(append);
    }
    // Figure 2: currentTerm and votedFor are persistent state, durable (synced by the caller)
    // before responding to RPCs. Written after the entries: its commit index may name them, and
    // the store's call order keeps it from being ahead of the log after a crash.
    if (ready.hardState() != null) {
      logStore.saveHardState(ready.hardState());
    }
    return append.size();
  }

  private void sync(long entries) {
    long start = scheduler.nanoTime();
    logStore.sync();
    metrics.fsyncLatency.record(scheduler.nanoTime() - start, TimeUnit.NANOSECONDS);
    if (entries > 0) {
      metrics.appendBatchSize.record(entries);
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
   * §7, Figure 13 step 7: the whole log is discarded. The core hands a snapshot out only when its
   * view of the log does not hold the snapshot's last entry (where it does, step 6 keeps the
   * entries after it and nothing is handed out), so the store keeps nothing either, even where it
   * still holds that entry: a conflicting truncation the core had pending, not yet handed out, is
   * dropped when the snapshot replaces the core's log in the same batch, and a suffix kept here
   * would hold entries, a configuration among them, that the core no longer knows of. The
   * snapshot itself is already in the snapshot store: the receiver committed it, checked, before
   * the core saw it.
   */
  private void install(Snapshot snapshot) {
    if (logStore.lastIndex() >= logStore.firstIndex()) {
      logStore.truncateSuffix(logStore.firstIndex());
    }
    logStore.truncatePrefix(snapshot.meta().lastIncludedIndex(), snapshot.meta().lastIncludedTerm());
  }
}
