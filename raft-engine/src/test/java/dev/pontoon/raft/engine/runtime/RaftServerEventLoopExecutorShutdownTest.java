package dev.pontoon.raft.engine.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NodeScheduler#eventLoopOn}: "a task the executor refuses (it was shut down first, by
 * someone else) stops the node as a failure would" - and a stopped node fails every pending
 * request (STYLE rule 13). An executor shut down with {@code shutdownNow()} while the loop's
 * batch task waits in its queue drops that task instead of refusing it: the node must not be
 * left with requests that are never answered.
 */
class RaftServerEventLoopExecutorShutdownTest {

  private final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "host-io"));
  private RaftServer node;

  @AfterEach
  void closeNode() {
    io.shutdownNow();
    if (node != null) {
      Thread t = new Thread(node::close, "test-cleanup-close");
      t.setDaemon(true);
      t.start();
    }
  }

  private final ManualTickSource ticks = new ManualTickSource();

  @Test
  void aBatchTaskDroppedByShutdownNowStillEndsInAnsweredRequests() throws Exception {
    CompletableFuture<Bytes> queued = submitWhileTheLoopsTaskWaitsThenShutDownNow(() -> {});
    CompletableFuture<Bytes> later = node.submit(Bytes.ofUtf8("a=2"));

    for (CompletableFuture<Bytes> f : List.of(queued, later)) {
      assertAnsweredAsStopped(f);
    }
  }

  @Test
  void aBatchTaskDroppedByShutdownNowIsNoticedByTheTicksWhenNothingElseIsOffered() throws Exception {
    // A tick comes while the batch task waits: queued behind it, so the loop owes a tick and the
    // tick source offers no other until that one has run.
    CompletableFuture<Bytes> queued = submitWhileTheLoopsTaskWaitsThenShutDownNow(() -> ticks.tick(1));

    // No request, message or worker hand-back follows: only the ticks are left to notice.
    ticks.tick(2);

    assertAnsweredAsStopped(queued);
  }

  /** Runs {@code beforeShutdown} while the loop's batch task waits in the executor, then shuts it down. */
  private CompletableFuture<Bytes> submitWhileTheLoopsTaskWaitsThenShutDownNow(Runnable beforeShutdown)
      throws Exception {
    node = RaftServer.builder().nodeId("e1").cluster(ClusterConfig.ofVoters("e1"))
        .transport(new InMemoryNetwork().transport(NodeId.of("e1"))).logStore(new InMemoryLogStore())
        .stateMachine(new RecordingStateMachine()).tickSource(ticks)
        .bootstrapLeader(NodeId.of("e1")).scheduler(NodeScheduler.eventLoopOn(io)).build();
    node.submit(Bytes.ofUtf8("a=0")).get(20, TimeUnit.SECONDS);

    // The host's I/O thread is busy, so the loop's next batch task waits in the executor's queue.
    CountDownLatch busy = new CountDownLatch(1);
    CountDownLatch hold = new CountDownLatch(1);
    io.execute(() -> {
      busy.countDown();
      try {
        hold.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    busy.await(20, TimeUnit.SECONDS);
    CompletableFuture<Bytes> queued = node.submit(Bytes.ofUtf8("a=1"));
    beforeShutdown.run();
    List<Runnable> dropped = io.shutdownNow(); // the host shuts its I/O executor down first
    assertEquals(1, dropped.size(), "the loop's batch task was waiting in the executor");
    return queued;
  }

  private void assertAnsweredAsStopped(CompletableFuture<Bytes> f) throws InterruptedException {
    try {
      f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertInstanceOf(NodeStoppedException.class, e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("a request was never answered: the loop's only batch task was dropped, the loop"
          + " stays 'scheduled' and no batch ever runs again; node failure = " + node.whenStopped().isDone(), e);
    }
  }
}
