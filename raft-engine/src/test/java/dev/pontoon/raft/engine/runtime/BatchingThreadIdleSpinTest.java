package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pontoon.raft.engine.RaftServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Event loops with an idle spin ({@link NodeScheduler#threads(Duration)},
 * {@link NodeScheduler#sharedLoopThreads(Duration)}): the thread keeps looking for work for the
 * spin's length instead of parking at once, takes what comes meanwhile, then parks and is woken
 * as any queue; no item is lost on either side of that change.
 */
class BatchingThreadIdleSpinTest {

  private static Thread threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
        .orElse(null);
  }

  @Test
  void anIdleLoopSpinsInsteadOfParkingThenParksWhenTheSpinRunsOut() {
    List<Integer> handled = new CopyOnWriteArrayList<>();
    BatchingThread<Integer> loop = new BatchingThread<>("test-spin", 100, handled::addAll, e -> {}, false,
        TimeUnit.MILLISECONDS.toNanos(2000));
    loop.start();
    try {
      loop.offer(1);
      await().atMost(10, TimeUnit.SECONDS).until(() -> handled.equals(List.of(1)));
      Thread thread = threadNamed("test-spin");
      assertNotNull(thread);

      // Spinning: runnable for a while after its batch, with nothing to do.
      await().during(200, TimeUnit.MILLISECONDS).atMost(800, TimeUnit.MILLISECONDS)
          .until(() -> thread.getState() == Thread.State.RUNNABLE);
      // Then parked, and an item offered now still wakes it.
      await().atMost(10, TimeUnit.SECONDS).until(() -> thread.getState() == Thread.State.WAITING);
      loop.offer(2);
      await().atMost(10, TimeUnit.SECONDS).until(() -> handled.equals(List.of(1, 2)));
    } finally {
      loop.stop();
    }
  }

  @Test
  void withoutASpinAnIdleLoopParksAtOnce() {
    List<Integer> handled = new CopyOnWriteArrayList<>();
    BatchingThread<Integer> loop = new BatchingThread<>("test-no-spin", 100, handled::addAll, e -> {}, false, 0);
    loop.start();
    try {
      loop.offer(1);
      await().atMost(10, TimeUnit.SECONDS).until(() -> handled.equals(List.of(1)));
      Thread thread = threadNamed("test-no-spin");

      // The check the spinning loop passes fails here: the thread parks within the 200 ms.
      assertThrows(ConditionTimeoutException.class, () -> await().during(200, TimeUnit.MILLISECONDS)
          .atMost(400, TimeUnit.MILLISECONDS).until(() -> thread.getState() == Thread.State.RUNNABLE));
    } finally {
      loop.stop();
    }
  }

  @Test
  void producersRacingASpinningLoopLoseNoItemAndKeepTheirOrder() throws Exception {
    int producers = 4;
    int perProducer = 20_000;
    Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
    BatchingThread<int[]> loop = new BatchingThread<>("test-spin-race", 64, batch -> {
      for (int[] item : batch) {
        seen.computeIfAbsent(item[0], k -> new ArrayList<>()).add(item[1]);
      }
    }, e -> {}, false, TimeUnit.MICROSECONDS.toNanos(5));
    loop.start();
    try {
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int producer = p;
        Thread t = new Thread(() -> {
          for (int i = 0; i < perProducer; i++) {
            loop.offer(new int[] {producer, i});
            if (i % 1000 == 0) {
              Thread.yield(); // now and then let the loop run dry, so that it spins, and parks
            }
          }
        });
        threads.add(t);
        t.start();
      }
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
      await().atMost(30, TimeUnit.SECONDS)
          .until(() -> seen.values().stream().mapToInt(List::size).sum() == producers * perProducer);
      for (int p = 0; p < producers; p++) {
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < perProducer; i++) {
          expected.add(i);
        }
        assertEquals(expected, seen.get(p), "producer " + p + "'s items, each once, in its order");
      }
    } finally {
      loop.stop();
    }
  }

  @Test
  void anIdleSpinIsRefusedWhenNegativeOrLongerThanAMillisecond() {
    assertThrows(IllegalArgumentException.class, () -> NodeScheduler.threads(Duration.ofNanos(-1)));
    assertThrows(IllegalArgumentException.class, () -> NodeScheduler.sharedLoopThreads(Duration.ofMillis(2)));
    assertThrows(NullPointerException.class, () -> NodeScheduler.threads(null));
    assertNotNull(NodeScheduler.threads(Duration.ZERO));
    assertNotNull(NodeScheduler.sharedLoopThreads(Duration.ofMillis(1)));
  }

  @Test
  void aClusterOnSpinningSharedLoopsReplicatesAndAppliesTheSameCommandsEverywhere() throws Exception {
    try (TestCluster cluster = new TestCluster(3, 100,
        b -> b.scheduler(NodeScheduler.sharedLoopThreads(Duration.ofNanos(20_000))).applyOnEventLoop(true))) {
      RaftServer leader = RaftServerReplicationTest.submitFromThreadsAndCheckEveryReplica(cluster, 8, 500);
      assertNotNull(leader);
    }
  }
}
