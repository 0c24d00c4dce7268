package dev.pontoon.raft.log;

/**
 * What a log entry carries. Each kind has a fixed {@link #code()}, the byte that stands for it in
 * every encoding (the wire, the disk), so that reordering or adding constants never changes what
 * stored or sent bytes mean.
 */
public enum EntryKind {
  /** A command of the application, handed to {@code StateMachine.apply}. */
  COMMAND(1),
  /** The empty entry a new leader appends at the start of its term (thesis §6.4, §3.6.2). */
  NO_OP(2),
  /** A cluster configuration, encoded with {@link ClusterConfig#toBytes()}. */
  CONFIGURATION(3);

  private final int code;

  EntryKind(int code) {
    this.code = code;
  }

  /** The kind's code in every encoding: 1 to 255, never 0, never reused. */
  public int code() {
    return code;
  }

  /** The kind whose {@link #code()} is {@code code}, or null when there is none (a corrupt or newer encoding). */
  public static EntryKind ofCode(int code) {
    for (EntryKind kind : values()) {
      if (kind.code == code) {
        return kind;
      }
    }
    return null;
  }
}
