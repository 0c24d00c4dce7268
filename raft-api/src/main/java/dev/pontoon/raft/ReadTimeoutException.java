package dev.pontoon.raft;

/**
 * A linearizable read was not answered within the node's read timeout: leadership could not be
 * confirmed with a quorum in time, or this node had not yet applied the log up to the read's
 * index. A read changes nothing, so it may simply be retried, here or on another node.
 */
public final class ReadTimeoutException extends RaftException {
  private static final long serialVersionUID = 1L;

  public ReadTimeoutException(String message) {
    super(message);
  }

  /** Always false: a read appends nothing to the log. */
  @Override
  public boolean mayStillCommit() {
    return false;
  }
}
