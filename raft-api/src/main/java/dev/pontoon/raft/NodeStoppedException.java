package dev.pontoon.raft;

/**
 * The node was closed, or stopped after a fatal failure (for example its log store failed).
 * Requests still in flight may or may not have committed ({@link #mayStillCommit()} is true),
 * unless the exception was made with {@link #notAppended}: then the request's command certainly
 * never entered any log, and a retry on another node cannot apply it twice. The cause, when
 * present, says why the node stopped. Use another node; a stopped node does not restart by
 * itself.
 */
public final class NodeStoppedException extends RaftException {
  private static final long serialVersionUID = 1L;

  /** False only for {@link #notAppended}'s: the command certainly entered no log. */
  private final boolean mayStillCommit;

  /** A stop after which the request's outcome is unknown ({@link #mayStillCommit()} is true). */
  public NodeStoppedException(String message) {
    super(message);
    this.mayStillCommit = true;
  }

  /** As {@link #NodeStoppedException(String)}, naming why the node stopped. */
  public NodeStoppedException(String message, Throwable cause) {
    super(message, cause);
    this.mayStillCommit = true;
  }

  private NodeStoppedException(String message, Throwable cause, boolean mayStillCommit) {
    super(message, cause);
    this.mayStillCommit = mayStillCommit;
  }

  /**
   * A stop that came before the request's command was appended to the node's log, so that it
   * never left the node and can never commit: {@link #mayStillCommit()} is false. For example,
   * the node failed fatally while proposing the command, before appending it.
   *
   * @param message what happened
   * @param cause why the node stopped, or null
   */
  public static NodeStoppedException notAppended(String message, Throwable cause) {
    return new NodeStoppedException(message, cause, false);
  }

  /**
   * True (the outcome is unknown: the command may have been appended and replicated before the
   * stop, and retry only an idempotent command), unless made with {@link #notAppended}.
   */
  @Override
  public boolean mayStillCommit() {
    return mayStillCommit;
  }
}
