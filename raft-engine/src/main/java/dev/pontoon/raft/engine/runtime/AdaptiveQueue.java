package dev.pontoon.raft.engine.runtime;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A {@link TaskQueue} that handles an item at once on the thread that offers it while that is
 * cheap and safe, and otherwise queues it for a thread of its own ({@link ApplyPlacement#ADAPTIVE}).
 * An item runs inline only when
 * <ul>
 *   <li>the queue's thread has nothing queued and no batch under way: the items queued before
 *       are all handled, so order is kept and the two never run at once (the thread counts a
 *       batch down only after handling it, so its work happens-before the offerer sees zero);
 *   <li>the last batch, wherever it ran, took at most the budget per item: a handler that turns
 *       slow holds the offering thread for one batch, then its work moves to the queue's thread
 *       until a batch there is quick again;
 *   <li>the item may run inline at all ({@code mayRunInline}: a snapshot restore never does).
 * </ul>
 * It saves the hand-off and the wake-up per batch that a thread costs (a third of the throughput
 * at 16 outstanding writes in the peer benchmark) for the common quick state machine.
 *
 * <p><b>Threading.</b> Items are offered by one thread at a time (the event loop).
 *
 * @param <T> the item type
 */
final class AdaptiveQueue<T> implements TaskQueue<T> {

  /** Budget per item of the last batch for the next one to run inline: 200 µs. */
  static final long DEFAULT_BUDGET_NANOS = 200_000;

  private final TaskQueue<T> thread;
  /** Runs an item on the offering thread; its failure stops this queue too. */
  private final InlineQueue<T> inline;
  private final LongSupplier clock;
  private final long budgetNanos;
  private final Predicate<T> mayRunInline;
  /** Items offered to {@link #thread} and not yet handled there. */
  private final AtomicInteger queued = new AtomicInteger();
  private volatile boolean lastWasQuick = true;

  AdaptiveQueue(NodeScheduler scheduler, String name, int maxBatch, TaskQueue.Handler<T> handler,
      Consumer<Throwable> onFailure, long budgetNanos, Predicate<T> mayRunInline) {
    this.inline = new InlineQueue<>(handler, onFailure);
    this.clock = scheduler::nanoTime;
    this.budgetNanos = budgetNanos;
    this.mayRunInline = Objects.requireNonNull(mayRunInline, "mayRunInline");
    this.thread = scheduler.newQueue(name, maxBatch, batch -> handleQueued(handler, batch), onFailure);
  }

  @Override
  public void start() {
    thread.start();
  }

  @Override
  public boolean offer(T item) {
    if (inline.isStopping()) {
      return false;
    }
    if (queued.get() == 0 && lastWasQuick && !inline.isCurrentThread() && mayRunInline.test(item)) {
      long start = clock.getAsLong();
      boolean handled = inline.offer(item);
      lastWasQuick = clock.getAsLong() - start <= budgetNanos;
      return handled;
    }
    queued.incrementAndGet();
    if (thread.offer(item)) {
      return true;
    }
    queued.decrementAndGet();
    return false;
  }

  private void handleQueued(TaskQueue.Handler<T> handler, List<T> batch) throws Exception {
    long start = clock.getAsLong();
    try {
      handler.handle(batch);
    } finally {
      lastWasQuick = clock.getAsLong() - start <= budgetNanos * batch.size();
      queued.addAndGet(-batch.size());
    }
  }

  @Override
  public void stop() {
    inline.stop();
    thread.stop();
  }

  @Override
  public boolean isStopping() {
    return inline.isStopping() || thread.isStopping();
  }

  @Override
  public List<T> drain() {
    return thread.drain();
  }

  @Override
  public boolean isCurrentThread() {
    return thread.isCurrentThread() || inline.isCurrentThread();
  }
}
