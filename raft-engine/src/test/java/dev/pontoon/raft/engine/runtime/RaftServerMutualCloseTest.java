package dev.pontoon.raft.engine.runtime;

import static dev.pontoon.raft.engine.runtime.CallbackCloses.PATIENCE_SECONDS;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.awaitQuietly;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.closeEachOnItsOwnThread;
import static dev.pontoon.raft.engine.runtime.CallbackCloses.onThreadInCallback;
import static org.awaitility.Awaitility.await;
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
import java.util.concurrent.TimeUnit;
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

  private final List<RaftServer> started = new ArrayList<>();

  @AfterEach
  void closeWhatCanBeClosed() {
    closeEachOnItsOwnThread(started);
  }

  @Test
  void twoNodesWhoseCallbacksCloseEachOtherAtOnceBothStopWithoutDeadlock() throws Exception {
    RaftServer a = singleNode("a1");
    RaftServer b = singleNode("b1");
    CountDownLatch aIn = new CountDownLatch(1);
    CountDownLatch bIn = new CountDownLatch(1);
    CountDownLatch aClosedB = new CountDownLatch(1);
    CountDownLatch bClosedA = new CountDownLatch(1);

    onThreadInCallback(() -> a.submit(Bytes.ofUtf8("x=1")), "pontoon-a1-loop", () -> {
      aIn.countDown();
      awaitQuietly(bIn); // only lines the two callbacks up; each would close the other anyway
      b.close();
      aClosedB.countDown();
    });
    onThreadInCallback(() -> b.submit(Bytes.ofUtf8("y=1")), "pontoon-b1-loop", () -> {
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
}
