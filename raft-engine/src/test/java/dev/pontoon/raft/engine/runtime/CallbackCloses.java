package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;

import dev.pontoon.raft.engine.RaftServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * For the tests of {@code close()} called from callbacks: running a step inside a callback on a
 * chosen thread, waiting without hanging a test that found a deadlock, and closing what is left.
 */
final class CallbackCloses {

  /** How long a test waits for a close, a callback or a stop before it calls it a deadlock. */
  static final int PATIENCE_SECONDS = 20;

  private CallbackCloses() {}

  /**
   * Issues {@code request} until one of its futures completes on the thread named {@code thread}
   * (not on the test thread, as one already complete when its callback is added would), and runs
   * {@code body} once, in that callback; returns once the callback has begun.
   */
  static void onThreadInCallback(Supplier<CompletableFuture<?>> request, String thread, Runnable body) {
    AtomicBoolean ran = new AtomicBoolean();
    CountDownLatch entered = new CountDownLatch(1);
    await().atMost(Duration.ofSeconds(PATIENCE_SECONDS)).until(() -> {
      request.get().whenComplete((r, e) -> {
        if (Thread.currentThread().getName().equals(thread) && ran.compareAndSet(false, true)) {
          entered.countDown();
          body.run();
        }
      });
      return entered.await(100, TimeUnit.MILLISECONDS);
    });
  }

  /** Waits for {@code latch} up to the patience; a callback uses it to line up with another. */
  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes each server from a fresh daemon thread, so that a deadlocked close cannot hang the next test. */
  static void closeEachOnItsOwnThread(List<RaftServer> servers) {
    for (RaftServer s : servers) {
      Thread t = new Thread(s::close, "test-cleanup-close");
      t.setDaemon(true);
      t.start();
    }
  }
}
