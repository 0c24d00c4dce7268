package dev.pontoon.raft.engine.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader's pending linearizable reads (ReadIndex, thesis §6.4).
 *
 * <p>A read first waits until the leader has committed an entry of its own term (so that its
 * commit index is at least that of any earlier leader); it then records {@code readIndex =
 * commitIndex} and the sequence number the next AppendEntries will carry. It is confirmed once a
 * majority of voters answered an AppendEntries with that sequence or a later one, which proves
 * that no other leader had been elected when the read was registered.
 */
final class ReadOnlyQueue {

  /** A read whose index is known, awaiting a heartbeat quorum at or after {@code sequence}. */
  record PendingRead(long requestId, long readIndex, long sequence) {}

  private final ArrayDeque<Long> waitingForTermCommit = new ArrayDeque<>();
  private final ArrayDeque<PendingRead> pending = new ArrayDeque<>();

  /** Parks a read until the leader commits an entry of its term. */
  void waitForTermCommit(long requestId) {
    waitingForTermCommit.add(requestId);
  }

  /** Reads parked by {@link #waitForTermCommit}, removed from the queue. */
  List<Long> drainWaiting() {
    List<Long> out = new ArrayList<>(waitingForTermCommit);
    waitingForTermCommit.clear();
    return out;
  }

  /** Registers a read at {@code readIndex}, to be confirmed by acks of {@code sequence} or later. */
  void add(long requestId, long readIndex, long sequence) {
    pending.add(new PendingRead(requestId, readIndex, sequence));
  }

  boolean hasPending() {
    return !pending.isEmpty();
  }

  /** Removes and returns the reads a quorum has confirmed: those registered at or before {@code quorumSequence}. */
  List<ReadState> confirm(long quorumSequence) {
    List<ReadState> out = new ArrayList<>();
    // Sequences of registered reads never decrease, so the confirmed ones form a prefix.
    while (!pending.isEmpty() && pending.peek().sequence() <= quorumSequence) {
      PendingRead read = pending.poll();
      out.add(new ReadState(read.requestId(), read.readIndex()));
    }
    return out;
  }

  /** Removes and returns the ids of every read, for when leadership is lost. */
  List<Long> abortAll() {
    List<Long> out = new ArrayList<>(waitingForTermCommit);
    for (PendingRead read : pending) {
      out.add(read.requestId());
    }
    waitingForTermCommit.clear();
    pending.clear();
    return out;
  }
}
