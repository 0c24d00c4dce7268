package dev.pontoon.raft.engine.sim;

import java.util.Objects;

/**
 * One client operation of a history: when it was invoked, when its response arrived and what it
 * answered.
 *
 * @param id unique within the history
 * @param client the client that issued it (a client has at most one operation outstanding)
 * @param command what was asked
 * @param invokedAt virtual time of the invocation
 * @param completedAt virtual time of the response; {@link #NEVER} when the outcome is unknown
 * @param status how it ended
 * @param result the response ({@code null} for an absent value, and when unknown)
 */
record Operation(long id, int client, KvCommand command, long invokedAt, long completedAt, Status status,
    String result) {

  /** The completion time of an operation whose response never came. */
  static final long NEVER = Long.MAX_VALUE;

  /** How an operation ended. */
  enum Status {
    /** Took effect; {@code result} is what the system answered. */
    OK,
    /** Definitely did not take effect (refused, or its log slot went to another entry). */
    FAILED,
    /** The response never came: it may or may not have taken effect, at any time after invocation. */
    UNKNOWN
  }

  Operation {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(status, "status");
    if (status == Status.UNKNOWN && completedAt != NEVER) {
      throw new IllegalArgumentException("an operation of unknown outcome has no completion time: " + completedAt);
    }
    if (completedAt < invokedAt) {
      throw new IllegalArgumentException("operation " + id + " completes at " + completedAt
          + " before it was invoked at " + invokedAt);
    }
  }

  /** A completed operation. */
  static Operation ok(long id, int client, KvCommand command, long invokedAt, long completedAt, String result) {
    return new Operation(id, client, command, invokedAt, completedAt, Status.OK, result);
  }

  /** An operation whose response never came. */
  static Operation unknown(long id, int client, KvCommand command, long invokedAt) {
    return new Operation(id, client, command, invokedAt, NEVER, Status.UNKNOWN, null);
  }

  @Override
  public String toString() {
    String end = completedAt == NEVER ? "?" : Long.toString(completedAt);
    String answer = switch (status) {
      case OK -> " -> " + result;
      case FAILED -> " -> failed";
      case UNKNOWN -> " -> unknown";
    };
    return "#" + id + " c" + client + " [" + invokedAt + "," + end + "] " + command + answer;
  }
}
