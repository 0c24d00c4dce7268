package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's proposals that wait for their commit, with the back-pressure bounds on their
 * number and bytes; the same bounds also cap the leader's entries that its own disk has not
 * taken yet ({@link #unsynced}).
 *
 * <p>They wait in one queue in index order, which is also submission and deadline order: a
 * leader proposes at increasing indexes, every proposal has the same timeout, and a proposal
 * still waiting from an earlier term of this node is at or below the commit index, below every
 * index a later term proposes at (Leader Completeness). Entries are applied in index order too,
 * so the proposal an applied entry answers is at the head of the queue, once the heads already
 * answered are dropped. Answering a proposal (applied, failed, timed out) only claims it; a
 * claimed proposal leaves the queue when it reaches the head (the next apply or tick) or the
 * tail (the next proposal), so an answer never takes the monitor. The queue needs no index map
 * and no boxed keys.
 *
 * <p><b>Threading.</b> Room is reserved from any submitting thread; proposals are added, timed
 * out and failed on the event loop; they are answered on the apply thread, or on the loop when
 * the state machine runs there. The queue is guarded by its own monitor, held for a few field
 * accesses and never while a future completes.
 */
final class PendingProposals {

  private final int maxCount;
  private final long maxBytes;
  private final AtomicInteger count = new AtomicInteger();
  /** Proposals answered with their result since {@link #takeAnswered}, for {@link ProposalLinger}. */
  private final AtomicInteger answered = new AtomicInteger();
  private final boolean countAnswered;
  private final AtomicLong bytes = new AtomicLong();
  /** In index order, which is submission and deadline order (see the class comment); guarded by itself. */
  private final ArrayDeque<PendingProposal> queue = new ArrayDeque<>();
  private final NodeMetrics metrics;
  /** Nanosecond time of the node (its scheduler's), for commit latency. */
  private final LongSupplier clock;
  /**
   * Whether this leader's own disk is behind (see {@link #unsynced}): new commands are refused.
   * Written by the event loop, read by every submitting thread: one volatile read per submit.
   */
  private volatile boolean syncBehind;
  /** The figures behind {@link #syncBehind}, for the refusal's message only. */
  private volatile long unsyncedEntries;
  private volatile long unsyncedBytes;

  PendingProposals(int maxCount, long maxBytes, NodeMetrics metrics, LongSupplier clock) {
    this(maxCount, maxBytes, metrics, clock, false);
  }

  /** @param countAnswered whether to count answered proposals for {@link #takeAnswered} (a proposal linger is on) */
  PendingProposals(int maxCount, long maxBytes, NodeMetrics metrics, LongSupplier clock, boolean countAnswered) {
    this.countAnswered = countAnswered;
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
    if (syncBehind) {
      // The leader's own disk is behind (see unsynced): checked after the two bounds above, whose
      // reasons are the likelier ones and come first when several hold.
      release(size);
      return "its own log sync is behind (" + unsyncedEntries + " entries, " + unsyncedBytes
          + " bytes not yet durable; limit " + maxCount + " entries or " + maxBytes + " bytes)";
    }
    return null;
  }

  /**
   * The leader's entries (and their command bytes) handed to its sync worker and not yet durable;
   * event loop, when they change (0 and 0 while it does not lead).
   *
   * <p>The rule: while they exceed {@code maxCount} entries or {@code maxBytes} bytes, new
   * commands are refused like those beyond the other two bounds. Room here is freed when a
   * proposal is answered, and a leader's entries may commit on its followers' copies alone while
   * its own sync is under way (thesis §10.2.1); so without this rule a leader whose disk stalls
   * would go on accepting writes, each answered, and keep every one of them in memory (the sync
   * worker's queue, the core's unstable log) until the disk returns. With it the leader holds
   * at most about twice the bounds: within them when a command is accepted, plus the commands
   * accepted and not yet handed over, which the bounds on pending proposals cap as well.
   */
  void unsynced(long entries, long bytes) {
    unsyncedEntries = entries;
    unsyncedBytes = bytes;
    syncBehind = entries > maxCount || bytes > maxBytes;
  }

  /** Gives back room reserved with {@link #tryReserve}. */
  void release(int size) {
    bytes.addAndGet(-size);
    count.decrementAndGet();
  }

  /** Proposals answered with their result since the last call (always 0 unless counted); event loop. */
  int takeAnswered() {
    return answered.getAndSet(0);
  }

  /** Number of proposals holding room. */
  int count() {
    return count.get();
  }

  /**
   * Registers a proposal the core accepted; event loop.
   *
   * @throws IllegalStateException if its index is not above every waiting proposal's, which the
   *     class comment rules out
   */
  void add(PendingProposal p) {
    synchronized (queue) {
      PendingProposal last;
      while ((last = queue.peekLast()) != null && last.isClaimed()) {
        queue.pollLast(); // answered already (a lost leadership failed it): the index may come back
      }
      if (last != null && p.index <= last.index) {
        throw new IllegalStateException("proposal at index " + p.index + " after one waiting at " + last.index);
      }
      queue.addLast(p);
    }
  }

  /**
   * The entry at {@code entry.index()} was applied; apply thread. The submitter gets the result
   * when the entry is its own (same index <em>and</em> term, see {@code Proposal}); otherwise
   * its command was overwritten and never committed.
   */
  void applied(LogEntry entry, Bytes result, Supplier<RaftException> overwritten) {
    PendingProposal p = find(entry.index());
    if (p == null) {
      return;
    }
    if (p.term == entry.term()) {
      if (finish(p)) {
        if (countAnswered) {
          answered.incrementAndGet();
        }
        metrics.recordCommit(p.startNanos, clock.getAsLong());
        p.future.complete(result);
      }
    } else {
      fail(p, overwritten.get());
    }
  }

  /** The waiting proposal at {@code index}, or null; drops the answered heads on the way. */
  private PendingProposal find(long index) {
    synchronized (queue) {
      PendingProposal head;
      while ((head = queue.peekFirst()) != null && head.isClaimed()) {
        queue.pollFirst();
      }
      if (head == null || head.index > index) {
        return null; // the usual miss: a no-op, a configuration, or a follower's entry
      }
      if (head.index == index) {
        return head;
      }
      for (PendingProposal p : queue) {
        if (p.index == index) {
          return p;
        }
        if (p.index > index) {
          break;
        }
      }
      return null;
    }
  }

  /** Fails proposals at indexes above {@code committedUpTo}; event loop (leadership lost). */
  int failAbove(long committedUpTo, RaftException error) {
    int failed = 0;
    List<PendingProposal> waiting = waiting();
    // From the tail down: those above the commit index are the last ones, so the walk stops at the first below.
    for (int i = waiting.size() - 1; i >= 0 && waiting.get(i).index > committedUpTo; i--) {
      if (fail(waiting.get(i), error)) {
        failed++;
      }
    }
    return failed;
  }

  /** Fails proposals at or below {@code index}, which a restored snapshot skipped. */
  void failUpTo(long index, RaftException error) {
    for (PendingProposal p : waiting()) {
      if (p.index <= index) {
        fail(p, error);
      }
    }
  }

  /** Fails proposals whose deadline passed; event loop. */
  void expire(long nowNanos, Function<PendingProposal, RaftException> error) {
    List<PendingProposal> due = new ArrayList<>();
    synchronized (queue) {
      PendingProposal head;
      while ((head = queue.peekFirst()) != null && (head.isClaimed() || head.deadlineNanos - nowNanos <= 0)) {
        queue.pollFirst();
        if (!head.isClaimed()) {
          due.add(head);
        }
      }
    }
    for (PendingProposal p : due) {
      fail(p, error.apply(p));
    }
  }

  /** Fails every proposal; once the node's threads have stopped. */
  void failAll(RaftException error) {
    for (PendingProposal p : waiting()) {
      fail(p, error);
    }
    synchronized (queue) {
      queue.clear();
    }
  }

  /** A copy of the queue, to answer proposals without holding its monitor. */
  private List<PendingProposal> waiting() {
    synchronized (queue) {
      return new ArrayList<>(queue);
    }
  }

  private boolean fail(PendingProposal p, RaftException error) {
    if (!finish(p)) {
      return false;
    }
    p.future.completeExceptionally(error);
    return true;
  }

  /**
   * Claims {@code p} and frees its room before its future runs callbacks that may submit more; it
   * leaves the queue later (see the class comment).
   */
  private boolean finish(PendingProposal p) {
    if (!p.claim()) {
      return false;
    }
    release(p.size);
    return true;
  }
}
