package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event loop whose batches run as tasks of the host's executor ({@link NodeScheduler#eventLoopOn}). */
class ExecutorEventLoopTest {

  private final ExecutorService single = Executors.newSingleThreadExecutor(r -> new Thread(r, "host-io"));

  @AfterEach
  void shutDown() {
    single.shutdownNow();
  }

  @Test
  void batchesRunOnTheExecutorsThreadAndItemsQueuedMeanwhileGoTogetherInTheNextBatchInOrder() throws Exception {
    CountDownLatch firstBatchRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    AtomicReference<ExecutorEventLoop<Integer>> self = new AtomicReference<>();
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(single, 100, batch -> {
      batches.add(new ArrayList<>(batch));
      threads.add(Thread.currentThread().getName() + (self.get().isCurrentThread() ? " (inside)" : ""));
      firstBatchRunning.countDown();
      release.await(10, TimeUnit.SECONDS);
    }, e -> {});
    self.set(loop);
    loop.start();
    loop.offer(0);
    assertTrue(firstBatchRunning.await(10, TimeUnit.SECONDS));
    for (int i = 1; i <= 5; i++) {
      loop.offer(i);
    }
    assertFalse(loop.isCurrentThread(), "the offering thread is not inside a batch");
    release.countDown();
    await().atMost(10, TimeUnit.SECONDS).until(() -> batches.size() == 2);
    assertEquals(List.of(List.of(0), List.of(1, 2, 3, 4, 5)), batches);
    assertEquals(List.of("host-io (inside)", "host-io (inside)"), threads);
    loop.stop();
  }

  @Test
  void aTaskRunsAtMostMaxBatchItemsAndLetsTheExecutorsOtherWorkInBetween() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    List<String> order = new CopyOnWriteArrayList<>();
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(single, 2, batch -> order.add("batch " + batch), e -> {});
    single.execute(() -> awaitQuietly(gate));
    for (int i = 0; i < 5; i++) {
      loop.offer(i);
    }
    // Queued behind the first batch task: it runs before the second batch, not after all of them.
    single.execute(() -> order.add("other work"));
    gate.countDown();
    await().atMost(10, TimeUnit.SECONDS).until(() -> order.size() == 4);
    assertEquals(List.of("batch [0, 1]", "other work", "batch [2, 3]", "batch [4]"), order);
  }

  @Test
  void batchesNeverOverlapAndKeepEachProducersOrderOnAManyThreadedExecutor() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      AtomicInteger inside = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      ConcurrentHashMap<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
      ExecutorEventLoop<int[]> loop = new ExecutorEventLoop<>(pool, 16, batch -> {
        if (inside.incrementAndGet() != 1) {
          overlaps.incrementAndGet();
        }
        for (int[] item : batch) {
          seen.computeIfAbsent(item[0], p -> new ArrayList<>()).add(item[1]);
        }
        inside.decrementAndGet();
      }, e -> {});
      int producers = 4;
      int each = 5_000;
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        threads.add(new Thread(() -> {
          for (int i = 0; i < each; i++) {
            loop.offer(new int[] {producer, i});
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread t : threads) {
        t.join();
      }
      await().atMost(30, TimeUnit.SECONDS).until(() -> seen.values().stream().mapToInt(List::size).sum() == producers * each);
      assertEquals(0, overlaps.get(), "batches that ran at the same time");
      for (int p = 0; p < producers; p++) {
        List<Integer> items = seen.get(p);
        for (int i = 0; i < each; i++) {
          assertEquals(i, items.get(i), "producer " + p + "'s items in the order offered");
        }
      }
      loop.stop();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void offerAfterStopIsRefusedAndUnhandledItemsCanBeDrained() {
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(single, 100, batch -> {}, e -> {});
    loop.start();
    loop.stop();
    assertTrue(loop.isStopping());
    assertFalse(loop.offer(1));
    assertEquals(List.of(), loop.drain());
  }

  @Test
  void stopFromInsideABatchReturnsAtOnce() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<ExecutorEventLoop<Integer>> self = new AtomicReference<>();
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(single, 100, batch -> {
      self.get().stop();
      stopped.countDown();
    }, e -> {});
    self.set(loop);
    loop.offer(1);
    assertTrue(stopped.await(10, TimeUnit.SECONDS), "stop() inside a batch waits for nothing");
  }

  @Test
  void failureOfTheHandlerIsReportedAndNoBatchRunsAfterIt() {
    AtomicReference<Throwable> reported = new AtomicReference<>();
    List<Integer> handled = new CopyOnWriteArrayList<>();
    IllegalStateException boom = new IllegalStateException("boom");
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(single, 1, batch -> {
      handled.addAll(batch);
      throw boom;
    }, reported::set);
    loop.offer(1);
    loop.offer(2);
    await().atMost(10, TimeUnit.SECONDS).until(() -> reported.get() != null);
    assertSame(boom, reported.get());
    loop.stop();
    assertEquals(List.of(1), handled);
    assertEquals(List.of(2), loop.drain(), "what never ran is left for the caller to fail");
  }

  @Test
  void anExecutorThatRefusesTheTaskEndsTheLoopLikeAFailure() {
    single.shutdown();
    AtomicReference<Throwable> reported = new AtomicReference<>();
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(single, 100, batch -> {}, reported::set);
    loop.offer(1);
    assertInstanceOf(RejectedExecutionException.class, reported.get());
    loop.stop();
    assertEquals(List.of(1), loop.drain());
  }

  @Test
  void aDirectExecutorRunsEachFollowUpBatchInALoopOnTheOfferingThreadNotDownItsStack() {
    int followUps = 50_000;
    List<Integer> depths = new CopyOnWriteArrayList<>();
    AtomicInteger handled = new AtomicInteger();
    AtomicReference<Throwable> reported = new AtomicReference<>();
    AtomicReference<ExecutorEventLoop<Integer>> self = new AtomicReference<>();
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(Runnable::run, 1, batch -> {
      int item = batch.get(0);
      handled.incrementAndGet();
      if (item == 1 || item == followUps) {
        depths.add(new Throwable().getStackTrace().length);
      }
      if (item < followUps) {
        self.get().offer(item + 1);
      }
    }, reported::set);
    self.set(loop);

    loop.offer(0); // runs every batch before it returns: the executor lends this thread

    assertEquals(null, reported.get());
    assertEquals(followUps + 1, handled.get());
    assertEquals(depths.get(0), depths.get(1), "the last batch runs as deep in the stack as the second");
  }

  @Test
  void anErrorThrownByTheExecutorIsReportedAsARefusalAndNothingIsScheduledAfterIt() {
    StackOverflowError overflow = new StackOverflowError();
    AtomicInteger executes = new AtomicInteger();
    AtomicReference<Throwable> reported = new AtomicReference<>();
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(task -> {
      executes.incrementAndGet();
      throw overflow;
    }, 100, batch -> {}, reported::set);
    loop.offer(1);
    assertSame(overflow, reported.get());
    loop.offer(2);
    assertEquals(1, executes.get(), "a failed loop hands the executor nothing more");
    loop.stop();
    assertEquals(List.of(1, 2), loop.drain());
  }

  @Test
  void aBatchTaskDroppedByShutdownNowFailsTheLoopAtTheNextOfferOnceAndLeavesEveryItemToDrain() throws Exception {
    CountDownLatch busy = new CountDownLatch(1);
    single.execute(() -> {
      busy.countDown();
      awaitQuietly(new CountDownLatch(1));
    });
    assertTrue(busy.await(10, TimeUnit.SECONDS));
    List<Throwable> reported = new CopyOnWriteArrayList<>();
    List<Integer> handled = new CopyOnWriteArrayList<>();
    ExecutorEventLoop<Integer> loop = new ExecutorEventLoop<>(single, 100, handled::addAll, reported::add);
    loop.offer(1); // its batch task waits behind the busy one
    assertEquals(1, single.shutdownNow().size(), "the loop's task was dropped, not refused");
    assertEquals(List.of(), reported);

    loop.offer(2);
    loop.offer(3);

    assertEquals(1, reported.size(), "reported once");
    assertInstanceOf(RejectedExecutionException.class, reported.get(0));
    loop.stop();
    assertEquals(List.of(), handled);
    assertEquals(List.of(1, 2, 3), loop.drain());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
