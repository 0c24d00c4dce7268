package dev.pontoon.raft;

/**
 * The command is larger than the node's transport can carry in one message
 * ({@code Transport.maxMessageBytes()} less the room for the message around it), so it could
 * never be replicated. Nothing was appended; retrying the same command fails the same way:
 * split it, or configure a larger frame on every node.
 */
public final class CommandTooLargeException extends RaftException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  public CommandTooLargeException(String message, long size, long limit) {
    super(message);
    this.size = size;
    this.limit = limit;
  }

  /** The command's size in bytes. */
  public long size() {
    return size;
  }

  /** The largest command this node accepts, in bytes. */
  public long limit() {
    return limit;
  }

  @Override
  public boolean mayStillCommit() {
    return false;
  }
}
