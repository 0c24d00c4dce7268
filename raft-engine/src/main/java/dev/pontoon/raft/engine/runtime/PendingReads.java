package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.log.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The node's linearizable reads, from {@code read()} until they leave the node, with the
 * back-pressure bound on their number and their timeout.
 *
 * <p>A read holds its room until it <em>leaves</em> the node: answered by the apply thread,
 * refused or aborted on the event loop, or failed at stop. A read that times out is answered
 * ({@code ReadTimeoutException}) at once but keeps its room until the ReadIndex round or the
 * apply thread lets go of it, so that the bound also covers what timed-out reads still occupy in
 * the core and in the apply queue: when those are stuck, new reads are refused rather than
 * piling up behind them.
 *
 * <p><b>Threading.</b> Room is reserved from any calling thread; reads are registered, timed out
 * and (mostly) refused on the event loop; they leave on the apply thread, the event loop or the
 * stopping thread. The map is concurrent; {@link #expiredThrough} is the event loop's alone.
 */
final class PendingReads {

  private final int maxCount;
  private final AtomicInteger count = new AtomicInteger();
  /**
   * Registered reads that have not left, by id: registration order, which is deadline order up to
   * the race between callers (every read has the same timeout, counted from its call), so a read
   * may expire a tick late, never early.
   */
  private final ConcurrentSkipListMap<Long, PendingRead> byId = new ConcurrentSkipListMap<>();
  /** Reads with ids up to this one had their deadline handled; event loop only. */
  private long expiredThrough;
  /** The last id handed out; event loop only. */
  private long lastId;

  PendingReads(int maxCount) {
    this.maxCount = maxCount;
  }

  /**
   * Reserves room for one read; any thread.
   *
   * @return null when reserved, else why not
   */
  String tryReserve() {
    if (count.incrementAndGet() > maxCount) {
      count.decrementAndGet();
      return "too many pending reads (limit " + maxCount + ")";
    }
    return null;
  }

  /** Gives back room reserved for a read that was never registered. */
  void release() {
    count.decrementAndGet();
  }

  /** Number of reads holding room. */
  int count() {
    return count.get();
  }

  /** Registers a read with room reserved, due at {@code deadlineNanos}; event loop. */
  PendingRead register(Bytes query, CompletableFuture<Bytes> future, long deadlineNanos) {
    PendingRead read = new PendingRead(++lastId, query, future, deadlineNanos);
    byId.put(read.id(), read);
    return read;
  }

  /** The read with this id, or null if it has left. */
  PendingRead get(long id) {
    return byId.get(id);
  }

  /**
   * {@code read} leaves the node and frees its room; call before answering it, so that a callback
   * may read again. True exactly once per registered read: whoever gets true answers it.
   */
  boolean leave(PendingRead read) {
    if (!byId.remove(read.id(), read)) {
      return false;
    }
    count.decrementAndGet();
    return true;
  }

  /** Answers the reads whose deadline passed; they keep their room until they leave. Event loop. */
  void expire(long nowNanos, Function<PendingRead, RaftException> error) {
    for (PendingRead read : byId.tailMap(expiredThrough, false).values()) {
      if (read.deadlineNanos() - nowNanos > 0) {
        return;
      }
      expiredThrough = read.id();
      read.future().completeExceptionally(error.apply(read));
    }
  }

  /** Fails every read still in the node; once the node's threads have stopped. */
  void failAll(RaftException error) {
    List<PendingRead> left = new ArrayList<>();
    for (PendingRead read : byId.values()) {
      if (leave(read)) {
        left.add(read);
      }
    }
    for (PendingRead read : left) {
      read.future().completeExceptionally(error);
    }
  }
}
