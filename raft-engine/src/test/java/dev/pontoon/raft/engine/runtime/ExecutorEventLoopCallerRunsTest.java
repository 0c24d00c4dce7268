package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NodeScheduler#eventLoopOn}'s Javadoc: "Batches never overlap and run in order whatever
 * the executor", and a task runs one batch "and then schedules the next one". An executor that
 * runs a task on the submitting thread when it cannot take it (a bounded pool with
 * {@link ThreadPoolExecutor.CallerRunsPolicy}, or a direct executor) is such an executor.
 */
class ExecutorEventLoopCallerRunsTest {

  /** One worker, no queue, caller runs what it refuses: the worker's own execute() runs inline. */
  private final ThreadPoolExecutor callerRuns = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
      new SynchronousQueue<>(), r -> new Thread(r, "host-io"), new ThreadPoolExecutor.CallerRunsPolicy());

  @AfterEach
  void shutDown() {
    callerRuns.shutdownNow();
  }

  /**
   * Each batch queues one follow-up to its own loop, as a node's loop does under load (the apply
   * step's appliedThrough, a sync's hand-back): every follow-up must run, and nothing may fail,
   * however long the chain. The loop schedules its next batch from the tail of the current one,
   * so on a caller-runs executor each batch runs nested inside the previous one's frame.
   */
  @Test
  void aCallerRunsExecutorRunsAnyNumberOfFollowUpBatchesWithoutFailing() {
    int followUps = 100_000;
    AtomicInteger handled = new AtomicInteger();
    AtomicReference<Throwable> reported = new AtomicReference<>();
    AtomicReference<ExecutorEventLoop<Integer>> self = new AtomicReference<>();
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(callerRuns, 16, batch -> {
      for (int item : batch) {
        handled.incrementAndGet();
        if (item < followUps) {
          self.get().offer(item + 1);
        }
      }
    }, reported::set);
    self.set(loop);
    loop.start();

    loop.offer(0);

    await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() > followUps || reported.get() != null);
    assertNull(reported.get(), "the loop failed");
    assertEquals(followUps + 1, handled.get(), "follow-ups lost: the loop stopped running batches");
    loop.stop();
  }
}
