package dev.pontoon.raft.engine.runtime;

import static dev.pontoon.raft.engine.runtime.CallbackCloses.PATIENCE_SECONDS;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.awaitQuietly;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.closeEachOnItsOwnThread;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.onThreadInCallback;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code RaftNode.close()}: "Safe from any thread, including a callback of a future this node
 * completes", and {@code NodeScheduler.sharedLoopThreads()}: "order, results and the state
 * machine's single-threadedness are as with threads()". A host whose callbacks close other nodes
 * in an order without a cycle (n1's callback closes n3, n3's callback closes n2) never deadlocks
 * under {@code threads()}; it must not deadlock under {@code sharedLoopThreads()} either.
 */
class SharedLoopsCloseFromCallbackTest {

  private final List<RaftServer> started = new ArrayList<>();

  @AfterEach
  void closeWhatCanBeClosed() {
    closeEachOnItsOwnThread(started);
  }

  @Test
  void closingOtherMembersFromCallbacksInAnAcyclicOrderNeverDeadlocksUnderThreads() throws Exception {
    AtomicReference<String> n1CallbackThread = closeFromCallbacks(NodeScheduler.threads());
    assertEquals("pontoon-n1-loop", n1CallbackThread.get());
  }

  /**
   * Under shared loops n1's commit can run on n2's loop thread (n2's acknowledgement runs idle
   * n1's batch on the spot), so n1's callback runs there: its close of n3 then holds n2's thread,
   * which n3's close of n2 waits for, while n3's thread, which n1's close of n3 waits for, is in
   * that close of n2.
   */
  @Test
  void closingOtherMembersFromCallbacksInAnAcyclicOrderNeverDeadlocksUnderSharedLoopThreads() throws Exception {
    AtomicReference<String> n1CallbackThread = closeFromCallbacks(NodeScheduler.sharedLoopThreads());
    assertEquals("pontoon-n2-loop", n1CallbackThread.get(), "the scenario did not line up");
  }

  /** Returns the thread n1's callback ran on; fails if either close from a callback does not return. */
  private AtomicReference<String> closeFromCallbacks(NodeScheduler scheduler) throws Exception {
    InMemoryNetwork network = new InMemoryNetwork();
    ClusterConfig pair = ClusterConfig.ofVoters("n1", "n2");
    RaftServer n1 = node("n1", pair, network, scheduler, "n1");
    RaftServer n2 = node("n2", pair, network, scheduler, "n1");
    RaftServer n3 = node("n3", ClusterConfig.ofVoters("n3"), new InMemoryNetwork(), scheduler, "n3");

    CountDownLatch n3CallbackWaiting = new CountDownLatch(1);
    CountDownLatch n1CallbackIn = new CountDownLatch(1);
    CountDownLatch n3ClosedN2 = new CountDownLatch(1);
    CountDownLatch n1ClosedN3 = new CountDownLatch(1);
    CountDownLatch n2Held = new CountDownLatch(1);
    CountDownLatch releaseN2 = new CountDownLatch(1);
    AtomicReference<String> n1CallbackThread = new AtomicReference<>();

    // n3's callback (on n3's loop) closes n2 once n1's callback has begun.
    onThreadInCallback(() -> n3.submit(Bytes.ofUtf8("z=1")), "pontoon-n3-loop", () -> {
      n3CallbackWaiting.countDown();
      awaitQuietly(n1CallbackIn);
      n2.close();
      n3ClosedN2.countDown();
    });
    assertTrue(n3CallbackWaiting.await(PATIENCE_SECONDS, TimeUnit.SECONDS));

    // Hold n2's loop thread in a callback (a refused submit: n2 follows), so that n1's append
    // waits in n2's queue and n2's own thread answers it once let go.
    onThreadInCallback(() -> n2.submit(Bytes.ofUtf8("y=1")), "pontoon-n2-loop", () -> {
      n2Held.countDown();
      awaitQuietly(releaseN2);
    });
    assertTrue(n2Held.await(PATIENCE_SECONDS, TimeUnit.SECONDS));

    // n1's callback closes n3.
    n1.submit(Bytes.ofUtf8("x=1")).whenComplete((r, e) -> {
      n1CallbackThread.set(Thread.currentThread().getName());
      n1CallbackIn.countDown();
      n3.close();
      n1ClosedN3.countDown();
    });
    // n1 appended (index 2 after the bootstrap entry) and its loop is idle again: the append to
    // n2 waits in n2's queue.
    await().atMost(Duration.ofSeconds(PATIENCE_SECONDS)).until(() -> n1.status().lastLogIndex() == 2
        && loopThreadState("pontoon-n1-loop") == Thread.State.WAITING);
    releaseN2.countDown();

    await().atMost(Duration.ofSeconds(PATIENCE_SECONDS)).until(() -> n1CallbackThread.get() != null);
    assertTrue(n1ClosedN3.await(PATIENCE_SECONDS, TimeUnit.SECONDS),
        "n1's callback (on " + n1CallbackThread.get() + ") never returned from n3.close(): deadlock");
    assertTrue(n3ClosedN2.await(PATIENCE_SECONDS, TimeUnit.SECONDS), "n3's callback never returned from n2.close()");
    return n1CallbackThread;
  }

  private RaftServer node(String id, ClusterConfig cluster, InMemoryNetwork network, NodeScheduler scheduler,
      String leader) {
    RaftServer s = RaftServer.builder().nodeId(id).cluster(cluster).transport(network.transport(NodeId.of(id)))
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine())
        .tickSource(new ManualTickSource()).bootstrapLeader(NodeId.of(leader))
        .scheduler(scheduler).applyOnEventLoop(true).build();
    started.add(s);
    return s;
  }

  private static Thread.State loopThreadState(String name) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
        .map(Thread::getState).orElse(Thread.State.TERMINATED);
  }
}
