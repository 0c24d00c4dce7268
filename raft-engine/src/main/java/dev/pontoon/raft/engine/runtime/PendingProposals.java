package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's proposals that wait for their commit, with the back-pressure bounds on their
 * number and bytes.
 *
 * <p><b>Threading.</b> Room is reserved from any submitting thread; proposals are added, timed
 * out and failed on the event loop; they are answered on the apply thread. The index map is
 * concurrent; the deadline queue is the event loop's alone.
 */
final class PendingProposals {

  private final int maxCount;
  private final long maxBytes;
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();
  private final Map<Long, PendingProposal> byIndex = new ConcurrentHashMap<>();
  /** In submission order, which is deadline order since every proposal has the same timeout. */
  private final ArrayDeque<PendingProposal> byDeadline = new ArrayDeque<>();
  private final NodeMetrics metrics;
  /** Nanosecond time of the node (its scheduler's), for commit latency. */
  private final LongSupplier clock;

  PendingProposals(int maxCount, long maxBytes, NodeMetrics metrics, LongSupplier clock) {
    this.clock = clock;
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
    this.metrics = metrics;
  }

  /**
   * Reserves room for one command of {@code size} bytes; any thread.
   *
   * @return null when reserved, else why not
   */
  String tryReserve(int size) {
    if (count.incrementAndGet() > maxCount) {
      count.decrementAndGet();
      return "too many pending proposals (limit " + maxCount + ")";
    }
    long total = bytes.addAndGet(size);
    if (total > maxBytes) {
      bytes.addAndGet(-size);
      count.decrementAndGet();
      return size > maxBytes
          ? "command of " + size + " bytes exceeds maxPendingBytes (" + maxBytes + ")"
          : "too many pending bytes (" + (total - size) + " + " + size + " > limit " + maxBytes + ")";
    }
    return null;
  }

  /** Gives back room reserved with {@link #tryReserve}. */
  void release(int size) {
    bytes.addAndGet(-size);
    count.decrementAndGet();
  }

  /** Number of proposals holding room. */
  int count() {
    return count.get();
  }

  /** Registers a proposal the core accepted; event loop. */
  void add(PendingProposal p) {
    byIndex.put(p.index, p);
    byDeadline.addLast(p);
  }

  /**
   * The entry at {@code entry.index()} was applied; apply thread. The submitter gets the result
   * when the entry is its own (same index <em>and</em> term, see {@code Proposal}); otherwise
   * its command was overwritten and never committed.
   */
  void applied(LogEntry entry, Bytes result, Supplier<RaftException> overwritten) {
    PendingProposal p = byIndex.get(entry.index());
    if (p == null) {
      return;
    }
    if (p.term == entry.term()) {
      if (finish(p)) {
        metrics.recordCommit(p.startNanos, clock.getAsLong());
        p.future.complete(result);
      }
    } else {
      fail(p, overwritten.get());
    }
  }

  /** Fails proposals at indexes above {@code committedUpTo}; event loop (leadership lost). */
  int failAbove(long committedUpTo, RaftException error) {
    int failed = 0;
    for (PendingProposal p : new ArrayList<>(byIndex.values())) {
      if (p.index > committedUpTo && fail(p, error)) {
        failed++;
      }
    }
    return failed;
  }

  /** Fails proposals at or below {@code index}, which a restored snapshot skipped. */
  void failUpTo(long index, RaftException error) {
    for (PendingProposal p : new ArrayList<>(byIndex.values())) {
      if (p.index <= index) {
        fail(p, error);
      }
    }
  }

  /** Fails proposals whose deadline passed; event loop. */
  void expire(long nowNanos, Function<PendingProposal, RaftException> error) {
    PendingProposal head;
    while ((head = byDeadline.peekFirst()) != null && (head.isClaimed() || head.deadlineNanos - nowNanos <= 0)) {
      byDeadline.pollFirst();
      if (!head.isClaimed()) {
        fail(head, error.apply(head));
      }
    }
  }

  /** Fails every proposal; once the node's threads have stopped. */
  void failAll(RaftException error) {
    for (PendingProposal p : new ArrayList<>(byIndex.values())) {
      fail(p, error);
    }
    byDeadline.clear();
  }

  private boolean fail(PendingProposal p, RaftException error) {
    if (!finish(p)) {
      return false;
    }
    p.future.completeExceptionally(error);
    return true;
  }

  /** Claims {@code p} and frees its room before its future runs callbacks that may submit more. */
  private boolean finish(PendingProposal p) {
    if (!p.claim()) {
      return false;
    }
    byIndex.remove(p.index, p);
    release(p.size);
    return true;
  }
}
