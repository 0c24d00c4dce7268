package dev.pontoon.raft;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A membership change failed, and nothing of it is still in flight: another change was in
 * flight, a named member is unknown, the change is invalid, or a learner did not catch up in
 * time to be promoted.
 *
 * <p>Most such failures are refusals before anything was appended: {@link #learnersAdded()} is
 * empty and retrying the same change is safe. A change that adds voters runs in two phases,
 * though (see {@link RaftNode#changeMembership}): the new nodes join as learners first, and
 * are promoted, with the change's other steps, once they have caught up. When the second phase
 * fails ({@code NOT_CAUGHT_UP}, or {@code CHANGE_IN_PROGRESS} when it could not be proposed in
 * time), the first is committed and stays: {@link #learnersAdded()} names the nodes that are now
 * learners, and {@link #remainingSteps()} is what is left of the change. Asking for the
 * remaining steps completes it (that change waits, as the second phase did, for the learners to
 * catch up); removing the learners undoes it. The same change asked again is refused as
 * {@code INVALID_CHANGE}, since its nodes are members already.
 */
public final class MembershipChangeException extends RaftException {
  private static final long serialVersionUID = 1L;

  /** Why the change failed. */
  public enum Reason {
    /**
     * Only one change may be in flight: the node is still carrying out an earlier change asked of
     * it, or the change waited for an earlier one (or for the leader's first commit of its term)
     * and could not be proposed before its timeout. Retry later — the same change when
     * {@link #learnersAdded()} is empty, else {@link #remainingSteps()}.
     */
    CHANGE_IN_PROGRESS,
    /** A step names a node that is not a member (or, for a promotion, not a learner). */
    UNKNOWN_MEMBER,
    /** The change is not valid, for example it would leave no voter or adds an existing member. */
    INVALID_CHANGE,
    /**
     * A learner did not come within the catch-up lag of the leader in time to be promoted. A node
     * this change added as a voter stays a learner: see {@link #learnersAdded()}.
     */
    NOT_CAUGHT_UP
  }

  private final Reason reason;

  private final Set<NodeId> learnersAdded;
  private final List<MemberChange> remainingSteps;

  /** A refusal before anything was appended. */
  public MembershipChangeException(Reason reason, String message) {
    this(reason, message, Set.of(), List.of());
  }

  /**
   * A change whose first phase, adding {@code learnersAdded} as learners, was committed before
   * its second phase, {@code remainingSteps}, failed; empty sets for a refusal before anything was
   * appended.
   *
   * @throws IllegalArgumentException if exactly one of the two is empty
   */
  public MembershipChangeException(Reason reason, String message, Set<NodeId> learnersAdded,
      List<MemberChange> remainingSteps) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.learnersAdded = Set.copyOf(learnersAdded);
    this.remainingSteps = List.copyOf(remainingSteps);
    if (this.learnersAdded.isEmpty() != this.remainingSteps.isEmpty()) {
      throw new IllegalArgumentException("learners added " + learnersAdded + " and remaining steps "
          + remainingSteps + " must be both empty (nothing appended) or both not");
    }
  }

  /** Why the change failed. */
  public Reason reason() {
    return reason;
  }

  /**
   * The nodes this change added as learners, in a first phase that was committed and stays,
   * before the rest of it failed; empty when nothing of the change was appended.
   */
  public Set<NodeId> learnersAdded() {
    return learnersAdded;
  }

  /**
   * What is left of the change when {@link #learnersAdded()} is not empty — the promotions and
   * the other steps of its second phase, to be asked for once the learners have caught up, as
   * {@code changeMembership(e.remainingSteps())}; empty when nothing of the change was appended
   * (then the change itself may be asked for again).
   */
  public List<MemberChange> remainingSteps() {
    return remainingSteps;
  }

  /** {@code false}: nothing of the change is in flight (a first phase that stands is committed). */
  @Override
  public boolean mayStillCommit() {
    return false;
  }
}
