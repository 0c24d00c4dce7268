package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.AppendEntries;
import dev.pontoon.raft.message.AppendEntriesResponse;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A leader's lease for reads without a ReadIndex round (thesis §6.4.1). Event loop only.
 *
 * <p>The lease starts when AppendEntries were <em>sent</em> (not when answered): once a quorum
 * answered requests sent at or after time {@code t}, no other leader can be elected before
 * {@code t} plus the minimum election timeout, because with CheckQuorum those followers ignore
 * votes for that long after hearing from this leader. The lease is shortened by the clock-drift
 * bound, so that a faster clock here cannot outlive a slower one there.
 *
 * <p>Sends are matched to answers through the {@code sequence} the leader stamps on each
 * AppendEntries and the follower echoes; an answer that cannot be matched extends nothing.
 */
final class LeaderLease {

  /** Most unanswered sends remembered per follower; older ones are forgotten (never extended). */
  private static final int MAX_REMEMBERED = 4096;

  private final NodeId self;
  private final long leaseNanos;
  private final Map<NodeId, ArrayDeque<long[]>> sentAt = new HashMap<>();
  private final Map<NodeId, Long> ackedSentAt = new HashMap<>();
  private long term = -1;

  LeaderLease(NodeId self, long leaseNanos) {
    this.self = self;
    this.leaseNanos = leaseNanos;
  }

  /** Forgets everything: a new term, or leadership lost or being transferred. */
  void reset(long newTerm) {
    term = newTerm;
    sentAt.clear();
    ackedSentAt.clear();
  }

  void onSend(AppendEntries m, long nowNanos) {
    if (m.term() != term || m.sequence() == 0) {
      return;
    }
    ArrayDeque<long[]> q = sentAt.computeIfAbsent(m.to(), k -> new ArrayDeque<>());
    if (q.size() >= MAX_REMEMBERED) {
      q.pollFirst();
    }
    q.addLast(new long[] {m.sequence(), nowNanos});
  }

  void onResponse(AppendEntriesResponse r) {
    ArrayDeque<long[]> q = sentAt.get(r.from());
    if (r.term() != term || q == null) {
      return;
    }
    while (!q.isEmpty() && q.peekFirst()[0] < r.sequence()) {
      q.pollFirst();
    }
    long[] head = q.peekFirst();
    if (head != null && head[0] == r.sequence()) {
      q.pollFirst();
      ackedSentAt.merge(r.from(), head[1], Math::max);
    }
  }

  /**
   * Whether a quorum of {@code config}'s voters acknowledged this leader of {@code currentTerm}
   * recently enough; never for a term other than the one the lease was reset to. In a joint
   * configuration a majority of each half must have (thesis §4.3: every decision needs both).
   */
  boolean isValid(long currentTerm, ClusterConfig config, long nowNanos) {
    if (currentTerm != term || config == null) {
      return false;
    }
    return isValidFor(config.voters(), nowNanos)
        && (!config.isJoint() || isValidFor(config.outgoingVoters(), nowNanos));
  }

  private boolean isValidFor(Set<NodeId> voters, long nowNanos) {
    int needed = voters.size() / 2 + 1 - (voters.contains(self) ? 1 : 0);
    if (needed <= 0) {
      return true;
    }
    long[] times = voters.stream().filter(v -> !v.equals(self))
        .mapToLong(v -> ackedSentAt.getOrDefault(v, Long.MIN_VALUE)).toArray();
    if (times.length < needed) {
      return false;
    }
    Arrays.sort(times);
    long quorumSentAt = times[times.length - needed];
    return quorumSentAt != Long.MIN_VALUE && nowNanos - quorumSentAt < leaseNanos;
  }
}
