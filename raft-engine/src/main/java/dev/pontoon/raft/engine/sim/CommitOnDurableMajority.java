package dev.pontoon.raft.engine.sim;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.LogReader;
import java.util.Set;
import java.util.function.Function;

/**
 * A leader commits an entry only once a majority of its configuration stores it durably, and by
 * counting only entries of its own term (§5.3, §5.4.2; in a joint configuration a majority of each
 * half, thesis §4.3; the leader counts itself only once its own write is durable, thesis §10.2.1).
 *
 * <p>Checked on the leader's commit index after every step, against what each voter's disk holds
 * durably at that moment — not against the acknowledgements the leader received, which could
 * themselves be wrong. A voter never loses an entry it stored durably, nor truncates a committed
 * one (Leader Completeness), so the majority that made an entry committed still holds it then.
 * A broken count (a learner counted, one half of a joint configuration ignored, the leader's own
 * unsynced write counted) is caught as it happens, not only in the rare run where a crash and an
 * election then lose the entry.
 *
 * <p>The configuration a leader counts with is its latest; when that changed within the step,
 * a majority of either the one before or the one after is accepted.
 */
final class CommitOnDurableMajority {

  /** Whether a node holds the entry (index, term) durably, in its log or its snapshot. */
  @FunctionalInterface
  interface DurableHolder {
    boolean holdsDurably(long index, long term);
  }

  private final long[] commit;
  private final int[] incarnation;
  private final ClusterConfig[] config;

  CommitOnDurableMajority(int nodes) {
    commit = new long[nodes];
    incarnation = new int[nodes];
    config = new ClusterConfig[nodes];
  }

  /**
   * After a step of node {@code index} (incarnation {@code incarnationNow}, in {@code role} at
   * {@code term}, counting with {@code config}): reports how its commit index advanced beyond
   * what a durable majority holds, or null if it did not.
   *
   * @param log the node's log as it reads now
   * @param holders each node's durable state, by id
   */
  String afterStep(int index, int incarnationNow, Role role, long term, long commitIndex, ClusterConfig config,
      LogReader log, Function<NodeId, DurableHolder> holders) {
    boolean sameRun = incarnation[index] == incarnationNow && this.config[index] != null;
    ClusterConfig before = sameRun ? this.config[index] : null;
    long from = sameRun ? commit[index] : Long.MAX_VALUE;
    incarnation[index] = incarnationNow;
    this.config[index] = config;
    commit[index] = commitIndex;
    if (role != Role.LEADER || commitIndex <= from || commitIndex < log.firstIndex()) {
      return null;
    }
    long entryTerm = log.term(commitIndex);
    if (entryTerm != term) {
      return "its commit index rose to " + commitIndex + ", an entry of term " + entryTerm + ", by counting in term "
          + term + " (only entries of the leader's own term are committed by counting, §5.4.2)";
    }
    if (heldByMajority(config, commitIndex, term, holders)
        || before != null && heldByMajority(before, commitIndex, term, holders)) {
      return null;
    }
    return "it committed " + commitIndex + " (term " + term + ") but no majority of " + config + " holds it durably";
  }

  private static boolean heldByMajority(ClusterConfig config, long index, long term,
      Function<NodeId, DurableHolder> holders) {
    return majority(config.voters(), index, term, holders)
        && (!config.isJoint() || majority(config.outgoingVoters(), index, term, holders));
  }

  private static boolean majority(Set<NodeId> voters, long index, long term, Function<NodeId, DurableHolder> holders) {
    int holding = 0;
    for (NodeId v : voters) {
      DurableHolder h = holders.apply(v);
      if (h != null && h.holdsDurably(index, term)) {
        holding++;
      }
    }
    return holding > voters.size() / 2;
  }
}
