package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code RaftNode.close()}: "Idempotent; blocks until every thread of the node has ended. Safe
 * from any thread, including a callback of a future this node completes." Two nodes of one
 * process (say, the members of an embedded cluster, or two groups) whose callbacks each close the
 * other at the same moment (a host shutting everything down when any request fails) must both
 * stop, with every close returning.
 */
class RaftServerMutualCloseTest {

  private static final int PATIENCE_SECONDS = 20;

  private final List<RaftServer> started = new ArrayList<>();

  @AfterEach
  void closeWhatCanBeClosed() {
    for (RaftServer s : started) {
      Thread t = new Thread(s::close, "test-cleanup-close");
      t.setDaemon(true);
      t.start();
    }
  }

  @Test
  void twoNodesWhoseCallbacksCloseEachOtherAtOnceBothStopWithoutDeadlock() throws Exception {
    RaftServer a = singleNode("a1");
    RaftServer b = singleNode("b1");
    CountDownLatch aIn = new CountDownLatch(1);
    CountDownLatch bIn = new CountDownLatch(1);
    CountDownLatch aClosedB = new CountDownLatch(1);
    CountDownLatch bClosedA = new CountDownLatch(1);

    onLoopInCallback(() -> a.submit(Bytes.ofUtf8("x=1")), "pontoon-a1-loop", () -> {
      aIn.countDown();
      awaitQuietly(bIn); // only lines the two callbacks up; each would close the other anyway
      b.close();
      aClosedB.countDown();
    });
    onLoopInCallback(() -> b.submit(Bytes.ofUtf8("y=1")), "pontoon-b1-loop", () -> {
      bIn.countDown();
      awaitQuietly(aIn);
      a.close();
      bClosedA.countDown();
    });

    assertTrue(aClosedB.await(PATIENCE_SECONDS, TimeUnit.SECONDS),
        "a1's callback never returned from b1.close(): deadlock (each stop joins the other's loop thread)");
    assertTrue(bClosedA.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "b1's callback never returned from a1.close()");
    a.whenStopped().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    b.whenStopped().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
  }

  private RaftServer singleNode(String id) {
    RaftServer s = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(id))
        .transport(new InMemoryNetwork().transport(NodeId.of(id))).logStore(new InMemoryLogStore())
        .stateMachine(new RecordingStateMachine()).tickSource(new ManualTickSource())
        .bootstrapLeader(NodeId.of(id)).applyOnEventLoop(true).build();
    started.add(s);
    return s;
  }

  /**
   * Issues {@code request} until one of its futures completes on the thread named {@code loop}
   * (not on the test thread, as one already complete when its callback is added would), and runs
   * {@code body} once, in that callback; returns once the callback has begun.
   */
  private static void onLoopInCallback(Supplier<CompletableFuture<?>> request, String loop, Runnable body) {
    AtomicBoolean ran = new AtomicBoolean();
    CountDownLatch entered = new CountDownLatch(1);
    await().atMost(Duration.ofSeconds(PATIENCE_SECONDS)).until(() -> {
      request.get().whenComplete((r, e) -> {
        if (Thread.currentThread().getName().equals(loop) && ran.compareAndSet(false, true)) {
          entered.countDown();
          body.run();
        }
      });
      return entered.await(100, TimeUnit.MILLISECONDS);
    });
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(PATIENCE_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
