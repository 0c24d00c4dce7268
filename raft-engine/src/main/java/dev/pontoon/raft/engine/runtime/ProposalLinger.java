package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.log.Bytes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Holds a leader's new proposals for a moment after it answered some, so that the next writes of
 * closed-loop clients (each waits for its write, then sends the next) reach the log together.
 *
 * <p><b>Why.</b> Without it, the first client to come back finds the leader idle and its write
 * goes out alone: one AppendEntries per follower and one log sync on every member for one entry,
 * while the others' writes pile up behind it and go in the next round. The clients then split
 * into two groups that alternate, each paying a sync per member per round. Holding the first
 * until the others are back sends them as one entry batch and one sync per member. Measured on
 * the peer bench's durable job at 16 outstanding writes: fdatasyncs per write 0.36 to 0.20 and
 * ops/s 8.7-9.4k to 12.4-13.5k.
 *
 * <p><b>When.</b> A proposal is held only when proposals were answered within the last
 * {@code lingerNanos} and fewer have come back since than were answered; the hold ends when as
 * many have arrived as were answered, or {@code lingerNanos} after it began, whichever comes
 * first. A proposal that arrives when none was answered lately (a first write, an open-loop
 * client after a pause) is never held, so a lone client's write is never delayed.
 *
 * <p><b>Safety.</b> A runtime policy only: the core sees the same proposals, in the same order,
 * a little later. No Raft rule depends on when a leader proposes. Held proposals hold the room
 * they reserved in {@link PendingProposals}, and are failed like any other when the node stops.
 *
 * <p><b>Threading.</b> Event loop only.
 */
final class ProposalLinger {

  /** A submitted command the loop has not proposed yet. */
  record Held(Bytes command, CompletableFuture<Bytes> future, long startNanos) {}

  private final long lingerNanos;
  private List<Held> held = new ArrayList<>();
  /** Proposals answered lately whose submitters may come back with their next write. */
  private int expected;
  private long lastAnsweredNanos;
  /** Counts holds; a timer for an earlier hold finds it changed and does nothing. */
  private long hold;

  /** @param lingerNanos longest hold; 0 turns holding off */
  ProposalLinger(long lingerNanos) {
    if (lingerNanos < 0) {
      throw new IllegalArgumentException("lingerNanos must not be negative: " + lingerNanos);
    }
    this.lingerNanos = lingerNanos;
  }

  long lingerNanos() {
    return lingerNanos;
  }

  /** {@code count} proposals were answered (committed and applied) by {@code nowNanos}. */
  void answered(int count, long nowNanos) {
    if (lingerNanos > 0 && count > 0) {
      expected += count;
      lastAnsweredNanos = nowNanos;
    }
  }

  /** Holds {@code h} if the class comment says so; returns whether it did. */
  boolean hold(Held h, long nowNanos) {
    if (expected == 0 || nowNanos - lastAnsweredNanos > lingerNanos) {
      expected = 0;
      return false;
    }
    held.add(h);
    expected--;
    return true;
  }

  /** Whether the last {@link #hold} began a hold, which then needs a timer. */
  boolean began() {
    return held.size() == 1;
  }

  /** Whether as many proposals as were answered are back: the hold can end now. */
  boolean complete() {
    return expected == 0 && !held.isEmpty();
  }

  boolean isHolding() {
    return !held.isEmpty();
  }

  /** Identifies the current hold, for its timer. */
  long currentHold() {
    return hold;
  }

  /** Ends the hold: what was held, in arrival order; the expectation is forgotten. */
  List<Held> release() {
    hold++;
    expected = 0;
    if (held.isEmpty()) {
      return List.of();
    }
    List<Held> out = held;
    held = new ArrayList<>();
    return out;
  }
}
