package dev.pontoon.raft.storage;

/**
 * The store is unavailable or found corruption. Fatal for the node that sees it: the runtime
 * stops the node and fails every pending request with {@code NodeStoppedException}.
 */
public class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
