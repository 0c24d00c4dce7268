package dev.pontoon.raft;

/**
 * Back-pressure: the node already holds as many pending proposals or reads, or bytes in
 * flight, as it was configured to; or, on a leader, as many writes its own disk has not made
 * durable yet. Nothing was appended; retry after a back-off.
 */
public final class OverloadedException extends RaftException {
  private static final long serialVersionUID = 1L;

  public OverloadedException(String message) {
    super(message);
  }

  @Override
  public boolean mayStillCommit() {
    return false;
  }
}
