package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdaptiveQueueTest {

  /**
   * The budget a batch must stay within to count as quick. The clock is the real one plus what
   * the test advances, so it is far above any real pause (a loaded CI machine stalled an inline
   * batch past 1 ms and the test read it as slow); a "slow" item advances the clock past it.
   */
  private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final String QUEUE_THREAD = "adaptive-test";

  private final AdjustableClockScheduler scheduler = new AdjustableClockScheduler();
  /** "item@thread" for each handled item, in handling order. */
  private final List<String> handled = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final AdaptiveQueue<String> queue = new AdaptiveQueue<>(scheduler, QUEUE_THREAD, 100, batch -> {
    for (String item : batch) {
      if (item.startsWith("slow")) {
        scheduler.advance(Duration.ofNanos(BUDGET_NANOS + 1)); // takes longer than the budget
      }
      if (item.startsWith("blocking")) {
        release.await(10, TimeUnit.SECONDS);
      }
      handled.add(item + "@" + (Thread.currentThread().getName().equals(QUEUE_THREAD) ? "queue" : "offerer"));
    }
  }, e -> {}, BUDGET_NANOS, item -> !item.contains("thread-only"));

  @AfterEach
  void stop() {
    release.countDown();
    queue.stop();
  }

  @Test
  void runsAnItemAtOnceOnTheOfferingThreadWhileItsThreadIsIdleAndTheLastBatchWasQuick() {
    queue.start();
    queue.offer("a");
    queue.offer("b");
    assertEquals(List.of("a@offerer", "b@offerer"), handled);
  }

  @Test
  void afterASlowBatchItemsGoToItsThreadUntilABatchThereIsQuick() {
    queue.start();
    queue.offer("slow");
    queue.offer("a"); // the last batch was slow: queued
    await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
    queue.offer("b"); // the thread's batch was quick and nothing is queued: inline again
    assertEquals(List.of("slow@offerer", "a@queue", "b@offerer"), handled);
  }

  @Test
  void anItemOfferedWhileItsThreadHasWorkWaitsBehindItInOrder() {
    queue.start();
    queue.offer("blocking thread-only"); // never inline: to the thread, which blocks in it
    queue.offer("c"); // the last batch was quick, but the thread has work: queued behind it
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
    assertEquals(List.of("blocking thread-only@queue", "c@queue"), handled);
  }

  @Test
  void refusesItemsOnceStopped() {
    queue.start();
    queue.stop();
    assertEquals(false, queue.offer("late"));
    assertEquals(List.of(), handled);
  }
}
