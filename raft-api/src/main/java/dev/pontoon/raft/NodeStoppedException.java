package dev.pontoon.raft;

/**
 * The node was closed, or stopped after a fatal failure (for example its log store failed).
 * Requests still in flight may or may not have committed; the cause, when present, says why
 * the node stopped. Use another node; a stopped node does not restart by itself.
 */
public final class NodeStoppedException extends RaftException {
  private static final long serialVersionUID = 1L;

  public NodeStoppedException(String message) {
    super(message);
  }

  public NodeStoppedException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean mayStillCommit() {
    return true;
  }
}
