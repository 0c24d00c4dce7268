package dev.pontoon.raft.engine.linearizability;

import java.util.Objects;

/**
 * One client operation of a history: what was asked, when, and how it ended. Immutable.
 *
 * <p><b>Times</b> are in any unit that every client of the history reads from one clock
 * (nanoseconds of {@link System#nanoTime()} in one process, virtual time in a simulation). The
 * invocation must be recorded before the request leaves and the completion after the response
 * arrived; two operations are ordered only when one's completion is strictly before the other's
 * invocation, so equal times count as concurrent. Any {@code long} is a time, negative ones
 * included, from {@link Long#MIN_VALUE} to {@code Long.MAX_VALUE - 1} for a completion ({@link
 * #NEVER} marks none): times are ordered as signed numbers, which the checker compares and never
 * subtracts, and {@link HistoryTimeline} draws the whole range. A clock whose values wrap around
 * therefore cannot time a history ({@link History} refuses one that goes back, and times
 * {@link System#nanoTime()} from its own creation).
 *
 * <p><b>Outcomes.</b> {@link Status#COMPLETED}: the response arrived, and {@code output} is what
 * it said. {@link Status#UNKNOWN}: the response never came (a timeout, a broken connection, a
 * server that cannot tell) — the operation may have taken effect at any instant after its
 * invocation, or never; {@code completedAt} is {@link #NEVER} and {@code output} null.
 * {@link Status#FAILED}: it definitely did not take effect (refused before anything happened);
 * the checker ignores it and timelines show it greyed.
 *
 * @param id unique within the history; also the order of invocation when recorded by {@link History}
 * @param client the client that issued it; a client has at most one operation outstanding
 * @param input what was asked
 * @param output what was answered (null when the model allows it, and when not completed)
 * @param invokedAt when it was invoked
 * @param completedAt when the response arrived; {@link #NEVER} when the outcome is unknown
 * @param status how it ended
 * @param <I> the input type
 * @param <O> the output type
 */
public record Operation<I, O>(long id, int client, I input, O output, long invokedAt, long completedAt,
    Status status) {

  /** The completion time of an operation whose response never came. */
  public static final long NEVER = Long.MAX_VALUE;

  /** How an operation ended. */
  public enum Status {
    /** The response arrived; {@code output} is what it said. */
    COMPLETED,
    /** The response never came: it may or may not have taken effect, at any time after invocation. */
    UNKNOWN,
    /** It definitely did not take effect; ignored by the checker. */
    FAILED
  }

  /**
   * @throws NullPointerException if {@code input} or {@code status} is null
   * @throws IllegalArgumentException if the times contradict the status or each other
   */
  public Operation {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(status, "status");
    if (status == Status.UNKNOWN && completedAt != NEVER) {
      throw new IllegalArgumentException("operation " + id + " of unknown outcome has a completion time: "
          + completedAt);
    }
    if (status != Status.UNKNOWN && completedAt == NEVER) {
      throw new IllegalArgumentException("operation " + id + " is " + status + " but has no completion time");
    }
    if (completedAt < invokedAt) {
      throw new IllegalArgumentException("operation " + id + " completes at " + completedAt
          + " before it was invoked at " + invokedAt);
    }
    if (status != Status.COMPLETED && output != null) {
      throw new IllegalArgumentException("operation " + id + " is " + status + " but has an output: " + output);
    }
  }

  /** An operation whose response arrived. */
  public static <I, O> Operation<I, O> completed(long id, int client, I input, O output, long invokedAt,
      long completedAt) {
    return new Operation<>(id, client, input, output, invokedAt, completedAt, Status.COMPLETED);
  }

  /** An operation whose response never came. */
  public static <I, O> Operation<I, O> unknown(long id, int client, I input, long invokedAt) {
    return new Operation<>(id, client, input, null, invokedAt, NEVER, Status.UNKNOWN);
  }

  /** An operation that definitely did not take effect; {@code completedAt} is when the client learned so. */
  public static <I, O> Operation<I, O> failed(long id, int client, I input, long invokedAt, long completedAt) {
    return new Operation<>(id, client, input, null, invokedAt, completedAt, Status.FAILED);
  }

  /** Whether the response arrived. */
  public boolean isCompleted() {
    return status == Status.COMPLETED;
  }

  /** Whether the outcome is unknown. */
  public boolean isUnknown() {
    return status == Status.UNKNOWN;
  }

  @Override
  public String toString() {
    String end = completedAt == NEVER ? "?" : Long.toString(completedAt);
    String answer = switch (status) {
      case COMPLETED -> " -> " + output;
      case FAILED -> " -> failed";
      case UNKNOWN -> " -> unknown";
    };
    return "#" + id + " c" + client + " [" + invokedAt + "," + end + "] " + input + answer;
  }
}
