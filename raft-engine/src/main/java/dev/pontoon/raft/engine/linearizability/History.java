package dev.pontoon.raft.engine.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A recorder of what concurrent clients asked and were told, for the {@link
 * LinearizabilityChecker}: call {@link #invoke} just before a request leaves and {@link #complete}
 * (or {@link #fail}) just after its answer arrived; an operation never completed stays of unknown
 * outcome. Times come from one clock, read inside the recorder, so that the history's order is
 * the clock's.
 *
 * <p><b>Threading.</b> Safe for any number of client threads; each method takes one short lock.
 * A client should have at most one operation outstanding (the timeline draws one lane per client).
 *
 * <pre>{@code
 * History<KvModel.Input, String> history = new History<>();   // System.nanoTime()
 * long id = history.invoke(client, new KvModel.Get("x"));
 * try {
 *   history.complete(id, http.get("x"));        // the value, or null when absent
 * } catch (IOException e) {
 *   // leave it: the outcome is unknown
 * }
 * CheckResult<KvModel.Input, String> r = LinearizabilityChecker.check(new KvModel(), history.operations());
 * }</pre>
 *
 * @param <I> the input type
 * @param <O> the output type
 * @see Operation
 */
public final class History<I, O> {

  private final LongSupplier clock;
  private final List<Operation<I, O>> operations = new ArrayList<>();
  /** The clock's latest reading; the next may not be below it. */
  private long lastReading = Long.MIN_VALUE;

  /**
   * A history timed with {@link System#nanoTime()}, in nanoseconds since it was created: for
   * clients in one process. Times are nanoTime differences, so that nanoTime's raw values wrapping
   * around cannot reorder the history.
   */
  public History() {
    this(elapsedNanos(System::nanoTime));
  }

  /**
   * Nanoseconds since the first reading of {@code nanoTime}, as {@link System#nanoTime()} asks to
   * be read: by difference, which stays right when its raw values wrap around (their origin is
   * arbitrary), for 2<sup>63</sup> ns (292 years).
   */
  static LongSupplier elapsedNanos(LongSupplier nanoTime) {
    long origin = nanoTime.getAsLong();
    return () -> nanoTime.getAsLong() - origin;
  }

  /**
   * A history timed with {@code clock}, which must never go back (a simulation's virtual clock,
   * say). It is read while the recorder's lock is held. Its readings are ordered as signed numbers
   * (see {@link Operation}), so a clock whose values wrap around, as raw {@link System#nanoTime()}
   * values may, goes back: a reading below an earlier one is refused with an {@link
   * IllegalStateException}, and nothing is recorded at it.
   */
  public History(LongSupplier clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Records that {@code client} invokes {@code input} now; call it before the request leaves.
   *
   * @return the operation's id, for {@link #complete} or {@link #fail}
   * @throws IllegalStateException if the clock went back
   */
  public synchronized long invoke(int client, I input) {
    long now = now();
    long id = operations.size();
    operations.add(Operation.unknown(id, client, input, now));
    return id;
  }

  /**
   * Records that the response {@code output} of operation {@code id} arrived now.
   *
   * @throws IllegalStateException if the operation already ended, or the clock went back
   */
  public synchronized void complete(long id, O output) {
    Operation<I, O> o = outstanding(id);
    operations.set((int) id, Operation.completed(id, o.client(), o.input(), output, o.invokedAt(), now()));
  }

  /**
   * Records that operation {@code id} definitely did not take effect (refused before anything
   * happened). When in doubt, leave the operation unknown instead: a wrong "failed" can make a
   * correct system look broken.
   *
   * @throws IllegalStateException if the operation already ended, or the clock went back
   */
  public synchronized void fail(long id) {
    Operation<I, O> o = outstanding(id);
    operations.set((int) id, Operation.failed(id, o.client(), o.input(), o.invokedAt(), now()));
  }

  /** Operation {@code id} as it stands. */
  public synchronized Operation<I, O> get(long id) {
    return operations.get((int) id);
  }

  /** The number of operations invoked so far. */
  public synchronized int size() {
    return operations.size();
  }

  /** A copy of the history as it stands, in invocation order; operations still outstanding are unknown. */
  public synchronized List<Operation<I, O>> operations() {
    return List.copyOf(operations);
  }

  /** The clock's reading, at or after every earlier one (so a completion is never before its invocation). */
  private long now() {
    long now = clock.getAsLong();
    if (now < lastReading) {
      throw new IllegalStateException("the history's clock went back, from " + lastReading + " to " + now
          + ": a history's clock must never go back (one whose values wrap around, as System.nanoTime()'s may,"
          + " cannot time a history; new History() times nanoTime from its own creation)");
    }
    lastReading = now;
    return now;
  }

  private Operation<I, O> outstanding(long id) {
    Operation<I, O> o = operations.get((int) id);
    if (o.status() != Operation.Status.UNKNOWN) {
      throw new IllegalStateException("operation " + id + " already ended: " + o);
    }
    return o;
  }
}
