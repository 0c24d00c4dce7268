package dev.pontoon.raft;

/**
 * A membership change was refused before anything was appended: another change is still in
 * flight, a named member is unknown, the change is invalid, or a learner did not catch up in
 * time to be promoted.
 */
public final class MembershipChangeException extends RaftException {
  private static final long serialVersionUID = 1L;

  /** Why the change was refused. */
  public enum Reason {
    /**
     * Only one change may be in flight: the node is still carrying out an earlier change asked of
     * it, or the change waited for an earlier one (or for the leader's first commit of its term)
     * and could not be proposed before its timeout. Retry later.
     */
    CHANGE_IN_PROGRESS,
    /** A step names a node that is not a member (or, for a promotion, not a learner). */
    UNKNOWN_MEMBER,
    /** The change is not valid, for example it would leave no voter or adds an existing member. */
    INVALID_CHANGE,
    /** A learner did not come within the catch-up lag of the leader in time to be promoted. */
    NOT_CAUGHT_UP
  }

  private final Reason reason;

  public MembershipChangeException(Reason reason, String message) {
    super(message);
    this.reason = java.util.Objects.requireNonNull(reason, "reason");
  }

  /** Why the change was refused. */
  public Reason reason() {
    return reason;
  }

  @Override
  public boolean mayStillCommit() {
    return false;
  }
}
