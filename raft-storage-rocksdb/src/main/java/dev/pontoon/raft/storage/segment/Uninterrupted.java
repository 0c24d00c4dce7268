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
  interface Work {
    void run() throws IOException;
  }

  private Uninterrupted() {}

  static void run(Work work) throws IOException {
    boolean interrupted = Thread.interrupted();
    try {
      work.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
