package dev.pontoon.raft;

/**
 * The command was appended to the leader's log, but its fate is unknown: leadership was lost
 * before it committed, or the caller's timeout ran out. It may still commit and be applied.
 *
 * <p>Retry only idempotent commands (or commands carrying a client-chosen unique id that the
 * state machine deduplicates); otherwise read the state to learn whether it took effect.
 */
public final class IndeterminateStateException extends RaftException {
  private static final long serialVersionUID = 1L;

  public IndeterminateStateException(String message) {
    super(message);
  }

  @Override
  public boolean mayStillCommit() {
    return true;
  }
}
