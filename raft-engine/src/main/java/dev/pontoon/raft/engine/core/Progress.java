package dev.pontoon.raft.engine.core;

/**
 * A leader's view of one follower (Figure 2, "volatile state on leaders"): {@code matchIndex},
 * {@code nextIndex}, the sending state and the in-flight window.
 *
 * <p>Invariant: {@code matchIndex < nextIndex}.
 */
final class Progress {

  /** Highest index known replicated on the follower (Figure 2); 0 when unknown. */
  long matchIndex;
  /** Index of the next entry to send (Figure 2). */
  long nextIndex;
  ProgressState state = ProgressState.PROBE;
  /** In PROBE: one AppendEntries is outstanding, so sending is paused until it is answered. */
  boolean probeSent;
  /** Whether the follower answered since the last CheckQuorum round (thesis §6.2). */
  boolean recentActive;
  /**
   * The configuration in force no longer holds this node: it is kept only until its removal is
   * known to it (Replication.releaseRemoved). Added again, it gets a new progress, as its log may
   * be anything by then (wiped, say) and a rejection never moves nextIndex below matchIndex + 1.
   */
  boolean removed;
  /** Highest AppendEntries sequence the follower answered in this term (ReadIndex, thesis §6.4). */
  long ackedSequence;
  /**
   * Rejections of AppendEntries sent before this sequence are stale and ignored: they answer a
   * message sent before nextIndex last changed state. Sequences start at 1; answers to a message
   * of an older term echo 0 and are always stale.
   */
  long minRejectSequence = 1;
  /** In SNAPSHOT: heartbeat intervals since the snapshot was sent, to retry one that was lost. */
  int snapshotTicks;
  final Inflights inflights;

  Progress(long matchIndex, long nextIndex, Inflights inflights) {
    this.matchIndex = matchIndex;
    this.nextIndex = nextIndex;
    this.inflights = inflights;
    checkInvariants();
  }

  /** Records that the follower holds entries up to {@code index}; returns whether that is news. */
  boolean maybeUpdate(long index) {
    if (index <= matchIndex) {
      return false;
    }
    matchIndex = index;
    nextIndex = Math.max(nextIndex, index + 1);
    probeSent = false;
    return true;
  }

  /**
   * Back to one-at-a-time probing from {@code next} (never below {@code matchIndex + 1});
   * {@code nextSequence} is the sequence of the next AppendEntries, before which rejections
   * become stale.
   */
  void becomeProbe(long next, long nextSequence) {
    state = ProgressState.PROBE;
    minRejectSequence = nextSequence;
    probeSent = false;
    inflights.reset();
    nextIndex = Math.max(matchIndex + 1, next);
  }

  /** The follower matches up to {@code matchIndex}: pipeline from there; earlier rejections become stale. */
  void becomeReplicate(long nextSequence) {
    state = ProgressState.REPLICATE;
    minRejectSequence = nextSequence;
    probeSent = false;
    inflights.reset();
    nextIndex = matchIndex + 1;
  }

  /** Waits for a snapshot (the leader holds no earlier entries); {@code snapshotTicks} restarts. */
  void becomeSnapshot(long nextSequence) {
    state = ProgressState.SNAPSHOT;
    minRejectSequence = nextSequence;
    probeSent = false;
    inflights.reset();
    snapshotTicks = 0;
  }

  /** Whether no AppendEntries with entries may be sent now. */
  boolean isPaused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.full();
      case SNAPSHOT -> true;
    };
  }

  /** Records that an AppendEntries carrying entries up to {@code lastIndex} ({@code bytes}) left. */
  void sent(long lastIndex, long bytes, boolean hasEntries) {
    if (state == ProgressState.REPLICATE) {
      if (hasEntries) {
        // Pipelining: advance nextIndex optimistically; a rejection sends us back to PROBE.
        nextIndex = lastIndex + 1;
        inflights.add(lastIndex, bytes);
      }
    } else if (state == ProgressState.PROBE) {
      probeSent = true;
    }
  }

  void checkInvariants() {
    if (matchIndex >= nextIndex) {
      throw new IllegalStateException("matchIndex " + matchIndex + " must be below nextIndex " + nextIndex);
    }
  }

  @Override
  public String toString() {
    return state + "[match=" + matchIndex + ", next=" + nextIndex + ", inflight=" + inflights.count() + "]";
  }
}
