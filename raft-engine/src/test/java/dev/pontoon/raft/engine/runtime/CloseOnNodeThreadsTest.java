package dev.pontoon.raft.engine.runtime;

import static dev.pontoon.raft.engine.runtime.CallbackCloses.PATIENCE_SECONDS;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.awaitQuietly;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.closeEachOnItsOwnThread;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.onThreadInCallback;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code RaftServer.close()} on a node thread of any node starts the stop and returns without
 * waiting, so callbacks that close each other's nodes never deadlock, whichever node thread they
 * run on: besides the loop threads of {@link RaftServerMutualCloseTest} and
 * {@link SharedLoopsCloseFromCallbackTest}, the stop thread (where {@code whenStopped()}'s
 * callbacks run) and a host executor's thread running a batch ({@code eventLoopOn}). From a
 * plain thread close() still waits for the whole stop.
 */
class CloseOnNodeThreadsTest {

  private final List<RaftServer> started = new ArrayList<>();
  private final List<ExecutorService> executors = new ArrayList<>();

  @AfterEach
  void closeWhatCanBeClosed() {
    closeEachOnItsOwnThread(started);
    executors.forEach(ExecutorService::shutdownNow);
  }

  /** Each stop thread, in a {@code whenStopped()} callback, closes the other node. */
  @Test
  void twoNodesWhoseStopCallbacksCloseEachOtherBothStop() throws Exception {
    RaftServer a = singleNode("a1", NodeScheduler.threads());
    RaftServer b = singleNode("b1", NodeScheduler.threads());
    CountDownLatch aIn = new CountDownLatch(1);
    CountDownLatch bIn = new CountDownLatch(1);
    CountDownLatch aClosedB = new CountDownLatch(1);
    CountDownLatch bClosedA = new CountDownLatch(1);
    a.whenStopped().whenComplete((r, e) -> {
      aIn.countDown();
      awaitQuietly(bIn); // lines the two stops up
      b.close();
      aClosedB.countDown();
    });
    b.whenStopped().whenComplete((r, e) -> {
      bIn.countDown();
      awaitQuietly(aIn);
      a.close();
      bClosedA.countDown();
    });

    Thread closesA = closeFromPlainThread(a);
    Thread closesB = closeFromPlainThread(b);

    assertTrue(aClosedB.await(PATIENCE_SECONDS, TimeUnit.SECONDS),
        "a1's stop thread never returned from b1.close(): deadlock (each stop waits for the other)");
    assertTrue(bClosedA.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "b1's stop thread never returned from a1.close()");
    closesA.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
    closesB.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
    assertFalse(closesA.isAlive() || closesB.isAlive(), "a close from a plain thread never returned");
  }

  /**
   * Event loops on two executors of the host: a callback runs inside a batch on the executor's
   * thread, and a stop waits for a batch under way, so the two closes would wait for each other.
   */
  @Test
  void twoNodesOnExecutorLoopsWhoseCallbacksCloseEachOtherBothStop() throws Exception {
    RaftServer a = singleNode("a1", NodeScheduler.eventLoopOn(executor("host-a")));
    RaftServer b = singleNode("b1", NodeScheduler.eventLoopOn(executor("host-b")));
    CountDownLatch aIn = new CountDownLatch(1);
    CountDownLatch bIn = new CountDownLatch(1);
    CountDownLatch aClosedB = new CountDownLatch(1);
    CountDownLatch bClosedA = new CountDownLatch(1);

    onThreadInCallback(() -> a.submit(Bytes.ofUtf8("x=1")), "host-a", () -> {
      aIn.countDown();
      awaitQuietly(bIn);
      b.close();
      aClosedB.countDown();
    });
    onThreadInCallback(() -> b.submit(Bytes.ofUtf8("y=1")), "host-b", () -> {
      bIn.countDown();
      awaitQuietly(aIn);
      a.close();
      bClosedA.countDown();
    });

    assertTrue(aClosedB.await(PATIENCE_SECONDS, TimeUnit.SECONDS),
        "a1's callback (on host-a) never returned from b1.close(): deadlock");
    assertTrue(bClosedA.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "b1's callback never returned from a1.close()");
    a.whenStopped().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
    b.whenStopped().get(PATIENCE_SECONDS, TimeUnit.SECONDS);
  }

  /** The contract for plain threads is unchanged: close() returns only once the node has stopped. */
  @Test
  void closeFromAPlainThreadReturnsOnlyOnceTheNodeHasStopped() {
    RaftServer a = singleNode("a1", NodeScheduler.threads());
    a.close();
    assertTrue(a.whenStopped().isDone(), "close() from the test thread returned before the stop ended");
  }

  private RaftServer singleNode(String id, NodeScheduler scheduler) {
    RaftServer s = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(id))
        .transport(new InMemoryNetwork().transport(NodeId.of(id))).logStore(new InMemoryLogStore())
        .stateMachine(new RecordingStateMachine()).tickSource(new ManualTickSource())
        .bootstrapLeader(NodeId.of(id)).scheduler(scheduler).applyOnEventLoop(true).build();
    started.add(s);
    return s;
  }

  private ExecutorService executor(String threadName) {
    ExecutorService e = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    executors.add(e);
    return e;
  }

  private static Thread closeFromPlainThread(RaftServer s) {
    Thread t = new Thread(s::close, "test-close-" + s.id().value());
    t.setDaemon(true);
    t.start();
    return t;
  }
}
