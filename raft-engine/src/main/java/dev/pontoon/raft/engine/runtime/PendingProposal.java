package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.Bytes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A proposal the leader appended and whose submitter waits. It is answered exactly once: by the
 * apply thread when its index is applied, or by the event loop on leadership loss, timeout or
 * stop; {@link #claim()} decides who.
 */
final class PendingProposal {
  final long index;
  final long term;
  final int size;
  final long startNanos;
  final long deadlineNanos;
  final CompletableFuture<Bytes> future;
  private final AtomicBoolean claimed = new AtomicBoolean();

  PendingProposal(long index, long term, int size, long startNanos, long deadlineNanos,
      CompletableFuture<Bytes> future) {
    this.index = index;
    this.term = term;
    this.size = size;
    this.startNanos = startNanos;
    this.deadlineNanos = deadlineNanos;
    this.future = future;
  }

  /** True for exactly one caller: the one that answers the submitter. */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  boolean isClaimed() {
    return claimed.get();
  }
}
