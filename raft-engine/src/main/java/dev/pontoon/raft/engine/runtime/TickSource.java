package dev.pontoon.raft.engine.runtime;

import java.time.Duration;

/**
 * Where a node's logical time comes from: something that calls a callback once per tick. The
 * runtime turns each call into one {@code RaftCore.tick()} on its event loop.
 *
 * <p>The default ({@link #fixedRate}) ticks on a timer thread; tests inject a source they advance
 * by hand, so that elections happen exactly when the test says.
 *
 * <p><b>Threading.</b> {@code onTick} may be called from any thread; it only enqueues.
 * <b>Lifecycle.</b> {@link #start} is called once, when the node starts; {@link #close} when it
 * stops, after which {@code onTick} must no longer be called. {@code close} is idempotent.
 */
public interface TickSource extends AutoCloseable {

  /** Starts calling {@code onTick} once per tick. */
  void start(Runnable onTick);

  /** Stops ticking and releases any thread. Idempotent. */
  @Override
  void close();

  /**
   * A source that ticks every {@code interval} on its own daemon thread named
   * {@code threadName}.
   *
   * @throws IllegalArgumentException if {@code interval} is not positive
   */
  static TickSource fixedRate(Duration interval, String threadName) {
    return new ScheduledTickSource(interval, threadName);
  }
}
