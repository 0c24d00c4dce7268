package dev.pontoon.raft.engine.runtime;

/** A tick source that ticks only when the test says, so that elections happen on cue. */
final class ManualTickSource implements TickSource {

  private volatile Runnable onTick;
  private volatile boolean closed;

  @Override
  public void start(Runnable callback) {
    onTick = callback;
  }

  /** Delivers {@code n} ticks. */
  void tick(int n) {
    Runnable callback = onTick;
    for (int i = 0; i < n && callback != null && !closed; i++) {
      callback.run();
    }
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    closed = true;
  }
}
