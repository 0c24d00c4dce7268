package dev.pontoon.raft;

/**
 * Base of the small family of Raft failures with which a {@code CompletableFuture} returned by
 * {@link RaftNode} completes exceptionally.
 *
 * <p>Errors raised by the application's own state machine are never reported this way: they
 * are values inside the result bytes. A {@code RaftException} always says whether the command
 * might still take effect, through {@link #mayStillCommit()}, so that a caller knows whether a
 * retry is safe for a non-idempotent command.
 *
 * @see NotLeaderException
 * @see IndeterminateStateException
 * @see NodeStoppedException
 * @see OverloadedException
 * @see ReadTimeoutException
 */
public abstract class RaftException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  protected RaftException(String message) {
    super(message);
  }

  protected RaftException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether the command may have been, or may yet be, committed and applied.
   *
   * @return {@code false} when the command was certainly never appended to a leader's log, so
   *     that retrying it cannot apply it twice; {@code true} when the outcome is unknown
   */
  public abstract boolean mayStillCommit();
}
