package dev.pontoon.raft.engine.core;

/**
 * Tuning of the Raft core, in ticks and counts. Validated in one place: the constructor rejects
 * bad values with a message that names the rule and the values.
 *
 * <p>A tick is one logical time unit; only the runtime decides how long a tick lasts.
 *
 * @param electionTimeoutMinTicks lower bound of the randomized election timeout (inclusive)
 * @param electionTimeoutMaxTicks upper bound of the randomized election timeout (exclusive)
 * @param heartbeatTicks how often a leader sends AppendEntries to an idle follower
 * @param preVote whether a node first probes with PreVote before raising its term (thesis §9.6)
 * @param checkQuorum whether a leader steps down when it has not heard from a quorum within
 *     an election timeout (thesis §6.2). It also turns on the rule of thesis §4.2.3 for vote
 *     requests: a node that heard from a live leader within the minimum election timeout ignores
 *     them (a leader that could never step down must not be protected that way, or a one-way
 *     partition could stall the cluster for good). Keep PreVote or CheckQuorum on (both are by
 *     default) when membership changes: with both off, a node removed by an entry it never
 *     received times out again and again and deposes every new leader.
 * @param maxInflightAppends how many AppendEntries may be outstanding to one follower in the
 *     replicate state (pipelining)
 * @param maxEntriesPerAppend most entries in one AppendEntries
 * @param maxBytesPerAppend most payload bytes in one AppendEntries (at least one entry is
 *     always sent)
 * @param maxCommittedBytesPerReady most bytes (by {@code LogEntry.sizeInBytes()}) of committed
 *     entries handed out in one {@link Ready} (at least one entry is always handed out), so that a
 *     node with a long committed log to apply, such as a restarted follower, hands it out in
 *     pieces (etcd's {@code MaxCommittedSizePerReady})
 * @param maxApplyingBytes most bytes of committed entries handed out and not yet reported
 *     applied with {@link RaftCore#appliedTo}: no more are handed out while the next would go
 *     past it (one entry larger than it alone goes out once nothing else is outstanding), so an
 *     apply that falls behind holds the core back instead of growing its queue (etcd's applying
 *     pause); at least {@code maxCommittedBytesPerReady}
 */
public record RaftConfig(int electionTimeoutMinTicks, int electionTimeoutMaxTicks, int heartbeatTicks,
    boolean preVote, boolean checkQuorum, int maxInflightAppends, int maxEntriesPerAppend, long maxBytesPerAppend,
    long maxCommittedBytesPerReady, long maxApplyingBytes) {

  public RaftConfig {
    requirePositive(heartbeatTicks, "heartbeatTicks");
    requirePositive(electionTimeoutMinTicks, "electionTimeoutMinTicks");
    requirePositive(maxInflightAppends, "maxInflightAppends");
    requirePositive(maxEntriesPerAppend, "maxEntriesPerAppend");
    requirePositive(maxBytesPerAppend, "maxBytesPerAppend");
    requirePositive(maxCommittedBytesPerReady, "maxCommittedBytesPerReady");
    requirePositive(maxApplyingBytes, "maxApplyingBytes");
    if (maxApplyingBytes < maxCommittedBytesPerReady) {
      throw new IllegalArgumentException("maxApplyingBytes (" + maxApplyingBytes
          + ") must be at least maxCommittedBytesPerReady (" + maxCommittedBytesPerReady + ")");
    }
    if (electionTimeoutMinTicks <= heartbeatTicks) {
      throw new IllegalArgumentException("electionTimeoutMinTicks (" + electionTimeoutMinTicks
          + ") must be greater than heartbeatTicks (" + heartbeatTicks + ")");
    }
    if (electionTimeoutMaxTicks <= electionTimeoutMinTicks) {
      throw new IllegalArgumentException("electionTimeoutMaxTicks (" + electionTimeoutMaxTicks
          + ") must be greater than electionTimeoutMinTicks (" + electionTimeoutMinTicks + ")");
    }
  }

  /**
   * Election timeout in [10, 20) ticks, heartbeat every 2 ticks, PreVote and CheckQuorum on,
   * 256 appends in flight per follower, at most 1024 entries or 4 MiB per append, at most 8 MiB
   * of committed entries per Ready and 64 MiB handed out but not yet applied.
   */
  public static RaftConfig defaults() {
    return new RaftConfig(10, 20, 2, true, true, 256, 1024, 4L * 1024 * 1024, 8L * 1024 * 1024, 64L * 1024 * 1024);
  }

  public RaftConfig withElectionTimeoutTicks(int min, int maxExclusive) {
    return new RaftConfig(min, maxExclusive, heartbeatTicks, preVote, checkQuorum, maxInflightAppends,
        maxEntriesPerAppend, maxBytesPerAppend, maxCommittedBytesPerReady, maxApplyingBytes);
  }

  public RaftConfig withHeartbeatTicks(int ticks) {
    return new RaftConfig(electionTimeoutMinTicks, electionTimeoutMaxTicks, ticks, preVote, checkQuorum,
        maxInflightAppends, maxEntriesPerAppend, maxBytesPerAppend, maxCommittedBytesPerReady, maxApplyingBytes);
  }

  public RaftConfig withPreVote(boolean enabled) {
    return new RaftConfig(electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatTicks, enabled, checkQuorum,
        maxInflightAppends, maxEntriesPerAppend, maxBytesPerAppend, maxCommittedBytesPerReady, maxApplyingBytes);
  }

  public RaftConfig withCheckQuorum(boolean enabled) {
    return new RaftConfig(electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatTicks, preVote, enabled,
        maxInflightAppends, maxEntriesPerAppend, maxBytesPerAppend, maxCommittedBytesPerReady, maxApplyingBytes);
  }

  public RaftConfig withMaxInflightAppends(int count) {
    return new RaftConfig(electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatTicks, preVote, checkQuorum,
        count, maxEntriesPerAppend, maxBytesPerAppend, maxCommittedBytesPerReady, maxApplyingBytes);
  }

  public RaftConfig withMaxEntriesPerAppend(int count) {
    return new RaftConfig(electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatTicks, preVote, checkQuorum,
        maxInflightAppends, count, maxBytesPerAppend, maxCommittedBytesPerReady, maxApplyingBytes);
  }

  public RaftConfig withMaxBytesPerAppend(long bytes) {
    return new RaftConfig(electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatTicks, preVote, checkQuorum,
        maxInflightAppends, maxEntriesPerAppend, bytes, maxCommittedBytesPerReady, maxApplyingBytes);
  }

  public RaftConfig withMaxCommittedBytesPerReady(long bytes) {
    return new RaftConfig(electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatTicks, preVote, checkQuorum,
        maxInflightAppends, maxEntriesPerAppend, maxBytesPerAppend, bytes, maxApplyingBytes);
  }

  public RaftConfig withMaxApplyingBytes(long bytes) {
    return new RaftConfig(electionTimeoutMinTicks, electionTimeoutMaxTicks, heartbeatTicks, preVote, checkQuorum,
        maxInflightAppends, maxEntriesPerAppend, maxBytesPerAppend, maxCommittedBytesPerReady, bytes);
  }

  private static void requirePositive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " (" + value + ") must be positive");
    }
  }
}
