package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.Bytes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * A proposal the leader appended and whose submitter waits. It is answered exactly once: by the
 * apply thread when its index is applied, or by the event loop on leadership loss, timeout or
 * stop; {@link #claim()} decides who.
 */
final class PendingProposal {
  /** {@link #claimed} by compare-and-set in the object itself: one object per write, not two. */
  private static final VarHandle CLAIMED;

  static {
    try {
      CLAIMED = MethodHandles.lookup().findVarHandle(PendingProposal.class, "claimed", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final long index;
  final long term;
  final int size;
  final long startNanos;
  final long deadlineNanos;
  final CompletableFuture<Bytes> future;
  @SuppressWarnings("unused") // accessed through CLAIMED
  private volatile boolean claimed;

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
    return CLAIMED.compareAndSet(this, false, true);
  }

  boolean isClaimed() {
    return claimed;
  }
}
