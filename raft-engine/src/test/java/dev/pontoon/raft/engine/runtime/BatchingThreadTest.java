package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class BatchingThreadTest {

  @Test
  void itemsQueuedWhileABatchRunsGoTogetherInTheNextBatchInOrder() throws Exception {
    CountDownLatch firstBatchRunning = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    BatchingThread<Integer> t = new BatchingThread<>("test-batch", 100, batch -> {
      batches.add(new ArrayList<>(batch));
      firstBatchRunning.countDown();
      release.await(10, TimeUnit.SECONDS);
    }, e -> {});
    t.start();
    t.offer(0);
    firstBatchRunning.await(10, TimeUnit.SECONDS);
    for (int i = 1; i <= 5; i++) {
      t.offer(i);
    }
    release.countDown();
    await().atMost(10, TimeUnit.SECONDS).until(() -> batches.size() == 2);
    assertEquals(List.of(List.of(0), List.of(1, 2, 3, 4, 5)), batches);
    t.stop();
  }

  @Test
  void offerAfterStopIsRefusedAndUnhandledItemsCanBeDrained() {
    BatchingThread<Integer> t = new BatchingThread<>("test-batch", 100, batch -> {}, e -> {});
    t.start();
    t.stop();
    assertFalse(t.offer(1));
    assertEquals(List.of(), t.drain());
  }

  @Test
  void failureOfTheHandlerIsReportedAndEndsTheThread() {
    AtomicReference<Throwable> reported = new AtomicReference<>();
    IllegalStateException boom = new IllegalStateException("boom");
    BatchingThread<Integer> t = new BatchingThread<>("test-batch", 100, batch -> {
      throw boom;
    }, reported::set);
    t.start();
    t.offer(1);
    await().atMost(10, TimeUnit.SECONDS).until(() -> reported.get() != null);
    assertSame(boom, reported.get());
    t.stop();
  }
}
