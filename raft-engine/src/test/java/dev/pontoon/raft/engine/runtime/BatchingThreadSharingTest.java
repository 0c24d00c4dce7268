package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A shareable {@link BatchingThread} (an event loop under {@code sharedLoopThreads()}): its idle
 * batches another shareable queue's thread runs on the spot, one batch at a time, without losing
 * an item or a wake-up.
 */
class BatchingThreadSharingTest {

  private final List<BatchingThread<?>> loops = new ArrayList<>();

  @AfterEach
  void stopLoops() {
    loops.forEach(BatchingThread::stop);
  }

  private <T> BatchingThread<T> loop(String name, TaskQueue.Handler<T> handler, Consumer<Throwable> onFailure) {
    BatchingThread<T> loop = new BatchingThread<>(name, 64, handler, onFailure, true);
    loops.add(loop);
    loop.start();
    return loop;
  }

  private <T> BatchingThread<T> loop(String name, TaskQueue.Handler<T> handler) {
    return loop(name, handler, e -> { throw new AssertionError("unexpected failure", e); });
  }

  @Test
  void anIdleLoopsBatchRunsOnTheThreadOfTheLoopThatHandsItAnItem() {
    List<String> threadsOfB = new CopyOnWriteArrayList<>();
    BatchingThread<Integer> b = loop("test-b", batch -> threadsOfB.add(Thread.currentThread().getName()));
    BatchingThread<Integer> a = loop("test-a", batch -> batch.forEach(b::offer));

    a.offer(1);

    await().atMost(Duration.ofSeconds(10)).until(() -> threadsOfB.size() == 1);
    assertEquals(List.of("test-a"), threadsOfB);
  }

  @Test
  void aQueueThatIsNotShareableRunsItsBatchesOnlyOnItsOwnThread() {
    List<String> threadsOfB = new CopyOnWriteArrayList<>();
    BatchingThread<Integer> b = new BatchingThread<>("test-b", 64,
        batch -> threadsOfB.add(Thread.currentThread().getName()), e -> { });
    loops.add(b);
    b.start();
    BatchingThread<Integer> a = loop("test-a", batch -> batch.forEach(b::offer));

    a.offer(1);

    await().atMost(Duration.ofSeconds(10)).until(() -> threadsOfB.size() == 1);
    assertEquals(List.of("test-b"), threadsOfB);
  }

  @Test
  void anItemFromAThreadThatIsNoEventLoopWakesTheLoopsOwnThread() {
    List<String> threads = new CopyOnWriteArrayList<>();
    BatchingThread<Integer> a = loop("test-a", batch -> threads.add(Thread.currentThread().getName()));

    a.offer(1);

    await().atMost(Duration.ofSeconds(10)).until(() -> threads.size() == 1);
    assertEquals(List.of("test-a"), threads);
  }

  @Test
  void anItemForALoopClaimedByTheOfferingThreadWaitsForItsNextBatch() {
    List<String> handledByA = new CopyOnWriteArrayList<>();
    AtomicReference<BatchingThread<String>> aRef = new AtomicReference<>();
    // B answers A from inside a batch that A's thread runs: A is claimed by that very thread, so
    // the answer must wait in A's queue (never re-enter A's handler) and still be handled.
    BatchingThread<String> b = loop("test-b", batch -> batch.forEach(m -> aRef.get().offer("answer to " + m)));
    AtomicBoolean insideA = new AtomicBoolean();
    BatchingThread<String> a = loop("test-a", batch -> {
      assertTrue(insideA.compareAndSet(false, true), "A's handler re-entered");
      try {
        for (String m : batch) {
          handledByA.add(m);
          if (!m.startsWith("answer")) {
            b.offer(m);
          }
        }
      } finally {
        insideA.set(false);
      }
    });
    aRef.set(a);

    a.offer("request");

    await().atMost(Duration.ofSeconds(10)).until(() -> handledByA.size() == 2);
    assertEquals(List.of("request", "answer to request"), handledByA);
  }

  @Test
  void insideABatchRunElsewhereTheLoopCountsAsTheCurrentThread() {
    AtomicReference<BatchingThread<Integer>> bRef = new AtomicReference<>();
    List<Boolean> seen = new CopyOnWriteArrayList<>();
    BatchingThread<Integer> b = loop("test-b", batch -> seen.add(bRef.get().isCurrentThread()));
    bRef.set(b);
    BatchingThread<Integer> a = loop("test-a", batch -> {
      batch.forEach(b::offer);
      seen.add(bRef.get().isCurrentThread());
    });

    a.offer(1);

    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    assertEquals(List.of(true, false), seen, "true inside B's batch on A's thread, false after it");
    assertFalse(b.isCurrentThread());
  }

  /**
   * Four loops whose handlers send each other items, plus two plain threads offering to all of
   * them: every item is handled exactly once, each producer's items in the order it sent them,
   * no two batches of one loop ever overlap, and no wake-up is lost (the counts complete).
   */
  @Test
  void underContentionEveryItemIsHandledOnceInProducerOrderAndBatchesNeverOverlap() throws Exception {
    int loopsCount = 4;
    int hops = 20_000;
    int external = 20_000;
    List<BatchingThread<long[]>> all = new ArrayList<>();
    AtomicInteger handled = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger outOfOrder = new AtomicInteger();
    AtomicInteger hopsLeft = new AtomicInteger(hops);
    AtomicInteger batchesElsewhere = new AtomicInteger();
    for (int i = 0; i < loopsCount; i++) {
      int self = i;
      AtomicBoolean inside = new AtomicBoolean();
      // last sequence number seen per producer (0..1 external threads, 2.. loops)
      long[] lastSeen = new long[2 + loopsCount];
      java.util.Arrays.fill(lastSeen, -1);
      long[] sentBy = new long[1];
      all.add(loop("test-" + i, batch -> {
        if (!inside.compareAndSet(false, true)) {
          overlaps.incrementAndGet();
        }
        if (!Thread.currentThread().getName().equals("test-" + self)) {
          batchesElsewhere.incrementAndGet();
        }
        try {
          for (long[] item : batch) {
            int producer = (int) item[0];
            if (item[1] <= lastSeen[producer]) {
              outOfOrder.incrementAndGet();
            }
            lastSeen[producer] = item[1];
            handled.incrementAndGet();
            if (hopsLeft.getAndDecrement() > 0) {
              all.get((int) ((item[1] + self + 1) % loopsCount)).offer(new long[] {2 + self, sentBy[0]++});
            }
          }
        } finally {
          inside.set(false);
        }
      }));
    }
    List<CompletableFuture<Void>> producers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      int producer = p;
      producers.add(CompletableFuture.runAsync(() -> {
        long[] next = new long[loopsCount];
        for (int n = 0; n < external / 2; n++) {
          int target = n % loopsCount;
          // one sequence per (producer, target) pair, so the order check is per loop
          all.get(target).offer(new long[] {producer, next[target]++});
        }
      }));
    }
    CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    int expected = external + hops;
    await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() >= expected);
    assertEquals(expected, handled.get());
    assertEquals(0, overlaps.get(), "two batches of one loop overlapped");
    assertEquals(0, outOfOrder.get(), "a producer's items were handled out of order");
    assertTrue(batchesElsewhere.get() > 0, "no batch ran on another loop's thread: nothing was shared");
  }

  @Test
  void offerAfterStopIsRefusedAndUnhandledItemsCanBeDrained() {
    BatchingThread<Integer> a = loop("test-a", batch -> {});
    a.stop();

    assertFalse(a.offer(1));
    assertEquals(List.of(), a.drain());
  }

  @Test
  void aFailedBatchIsReportedAndNoLaterBatchRunsOnAnyThread() {
    AtomicReference<Throwable> reported = new AtomicReference<>();
    IllegalStateException boom = new IllegalStateException("boom");
    AtomicInteger batchesOfB = new AtomicInteger();
    BatchingThread<Integer> b = loop("test-b", batch -> {
      batchesOfB.incrementAndGet();
      throw boom;
    }, reported::set);
    AtomicInteger offeredByA = new AtomicInteger();
    // An offer from A's thread would run B's batch inside it, so once A counts an item, any
    // batch of B that the offer could start has ended.
    BatchingThread<Integer> a = loop("test-a", batch -> batch.forEach(item -> {
      b.offer(item);
      offeredByA.incrementAndGet();
    }));

    b.offer(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> reported.get() != null);
    a.offer(2);
    a.offer(3);
    await().atMost(Duration.ofSeconds(10)).until(() -> offeredByA.get() == 2);

    assertSame(boom, reported.get());
    assertEquals(1, batchesOfB.get());
  }

  @Test
  void stopWaitsForABatchThatAnotherLoopsThreadIsRunning() throws Exception {
    CountDownLatch bRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<String> bThread = new AtomicReference<>();
    BatchingThread<Integer> b = loop("test-b", batch -> {
      bThread.set(Thread.currentThread().getName());
      bRunning.countDown();
      release.await(10, TimeUnit.SECONDS);
    });
    BatchingThread<Integer> a = loop("test-a", batch -> batch.forEach(b::offer));
    a.offer(1);
    assertTrue(bRunning.await(10, TimeUnit.SECONDS));
    assertEquals("test-a", bThread.get());

    CompletableFuture<Void> stopped = CompletableFuture.runAsync(b::stop);
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !stopped.isDone());
    release.countDown();

    stopped.get(10, TimeUnit.SECONDS);
  }
}
