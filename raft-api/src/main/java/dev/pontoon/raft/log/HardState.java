package dev.pontoon.raft.log;

import dev.pontoon.raft.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * The state a node must persist before it answers any RPC (Raft Figure 2, "Persistent state
 * on all servers"): {@code currentTerm} and {@code votedFor}; plus, as etcd does, the highest
 * index the node knew committed when the state was saved. The log itself is persisted by the
 * {@code LogStore} alongside.
 *
 * <p><b>The commit index is a hint.</b> Figure 2 makes {@code commitIndex} volatile: a correct
 * node may restart with 0 and learn it again from a leader. Persisting it only lets a restarted
 * node apply what it knew committed before it hears from any leader, and show it. It is:
 * <ul>
 *   <li><b>never ahead of the durable log:</b> the runtime saves a hard state only after the
 *       entries up to its commit index were written to the same store (the core hands them out
 *       in the same or an earlier {@code Ready}, and the runtime writes entries before the hard
 *       state), and a {@code LogStore} keeps its writes in call order, so a crash that keeps
 *       this hard state keeps those entries too; and committed entries are never truncated
 *       (§5.4), so no later write removes them;
 *   <li><b>possibly behind:</b> it is saved with the next write the runtime makes anyway and is
 *       durable only after the next sync that happens anyway (no sync is added for it), so a
 *       crash may lose the latest advances. A reader clamps it to
 *       {@code [snapshot index, last log index]} and treats it as a lower bound of what the
 *       cluster committed.
 * </ul>
 * A snapshot's last included index is committed, so a store that discards the log up to a
 * snapshot raises the commit index to at least that index ({@code LogStore.truncatePrefix}).
 *
 * <p>Changing only the commit index never calls for a sync (Figure 2: only term, vote and log
 * are persistent state); changing term or vote does.
 *
 * @param currentTerm latest term this node has seen, from 0
 * @param votedFor the candidate that received this node's vote in {@code currentTerm}, or
 *     {@code null} when it has voted for none
 * @param commitIndex highest index known committed when saved, from 0 (0 when unknown)
 */
public record HardState(long currentTerm, NodeId votedFor, long commitIndex) {
  /** The state of a node that has never run: term 0, no vote, nothing known committed. */
  public static final HardState INITIAL = new HardState(0, null, 0);

  public HardState {
    if (currentTerm < 0) {
      throw new IllegalArgumentException("currentTerm (" + currentTerm + ") must be >= 0");
    }
    if (commitIndex < 0) {
      throw new IllegalArgumentException("commitIndex (" + commitIndex + ") must be >= 0");
    }
  }

  /** Term and vote with no commit index known (0), as saved before the commit index was kept. */
  public HardState(long currentTerm, NodeId votedFor) {
    this(currentTerm, votedFor, 0);
  }

  /** The vote, if any. */
  public Optional<NodeId> vote() {
    return Optional.ofNullable(votedFor);
  }

  /** This state with {@code commitIndex} instead. */
  public HardState withCommitIndex(long commitIndex) {
    return new HardState(currentTerm, votedFor, commitIndex);
  }

  /**
   * This state with its commit index raised to {@code floor} if it is lower, else this state: what
   * a log store keeps when entries up to {@code floor} are known committed (a snapshot covers them).
   */
  public HardState withCommitIndexAtLeast(long floor) {
    return commitIndex >= floor ? this : withCommitIndex(floor);
  }

  /** Whether term or vote differ from {@code other}'s: the change that must be synced (Figure 2). */
  public boolean termOrVoteDiffers(HardState other) {
    return currentTerm != other.currentTerm || !Objects.equals(votedFor, other.votedFor);
  }
}
