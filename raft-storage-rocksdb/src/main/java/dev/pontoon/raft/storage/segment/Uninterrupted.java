package dev.pontoon.raft.storage.segment;

import java.io.IOException;

/**
 * Runs file-channel work with the caller's interrupt status set aside, restoring it after. A
 * {@link java.nio.channels.FileChannel} closes itself, for every thread, when a thread is
 * interrupted in one of its operations ({@code ClosedByInterruptException}); a caller's pending
 * interrupt (a cancelled task, say) must neither fail the store's call nor break the store.
 */
final class Uninterrupted {
  /** File work that may throw {@link IOException}. */
  interface Work<T> {
    T run() throws IOException;
  }

  private Uninterrupted() {}

  /**
   * {@code work}'s result. For the cold paths (opens, locks, fills): the writer's hot writes and
   * syncs set the interrupt aside inline, without a lambda per call.
   */
  static <T> T call(Work<T> work) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      return work.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
