package dev.pontoon.raft.storage;

/** A stored record failed its checksum or did not decode. The message names where. */
public final class CorruptedLogException extends StorageException {
  private static final long serialVersionUID = 1L;

  public CorruptedLogException(String message) {
    super(message);
  }
}
