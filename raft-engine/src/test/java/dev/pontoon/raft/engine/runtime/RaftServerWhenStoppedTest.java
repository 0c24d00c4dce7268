package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.StorageException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code RaftServer.whenStopped()}: the host's way to learn that its node stopped, and why. It
 * completes once the stop is over, normally after a close, and with the fatal failure otherwise.
 */
class RaftServerWhenStoppedTest {

  @Test
  void whenStoppedCompletesNormallyAfterClose() throws Exception {
    RaftServer node = TestCluster.singleNode("w1", new RecordingStateMachine());
    CompletableFuture<Void> before = node.whenStopped();
    AtomicReference<String> callbackThread = new AtomicReference<>();
    before.thenRun(() -> callbackThread.set(Thread.currentThread().getName()));
    node.submit(Bytes.ofUtf8("a=1")).join();
    assertFalse(before.isDone(), "it never completes while the node runs");

    node.close();

    assertTrue(before.isDone(), "close() returns after the stop, so after the future completed");
    assertNull(before.get(0, TimeUnit.SECONDS));
    assertEquals("pontoon-w1-stop", callbackThread.get(), "a callback added before the stop runs on the stop thread");
    assertNull(node.whenStopped().get(0, TimeUnit.SECONDS), "asked after the stop, it is complete at once");
  }

  @Test
  void whenStoppedCompletesWithTheFatalFailureWhenTheStateMachineThrows() {
    IllegalStateException bug = new IllegalStateException("state machine bug");
    RaftServer node = TestCluster.singleNode("w2", RecordingStateMachine.throwingOn("boom", bug));
    try {
      CompletableFuture<List<String>> threadsLeft = node.whenStopped().handle((v, e) -> otherThreadsOf("w2"));
      node.submit(Bytes.ofUtf8("a=1")).join();
      node.submit(Bytes.ofUtf8("boom"));

      NodeStoppedException stopped = assertInstanceOf(NodeStoppedException.class,
          TestCluster.failure(node.whenStopped()));
      assertSame(bug, stopped.getCause(), "the exception carries what apply threw");
      assertEquals(List.of(), threadsLeft.join(), "every node thread but the stop thread had ended");
    } finally {
      node.close();
    }
  }

  @Test
  void whenStoppedCompletesWithTheFatalFailureWhenTheLogStoreThrows() {
    FailingLogStore store = new FailingLogStore();
    RaftServer node = RaftServer.builder().nodeId("w3").cluster(ClusterConfig.ofVoters("w3"))
        .transport(new InMemoryNetwork().transport(NodeId.of("w3"))).logStore(store)
        .snapshotStore(new InMemorySnapshotStore()).stateMachine(new RecordingStateMachine())
        .tickInterval(TestCluster.TICK).build();
    try {
      await().atMost(20, TimeUnit.SECONDS).until(() -> node.status().role() == Role.LEADER);
      CompletableFuture<Integer> closesSeen = node.whenStopped().handle((v, e) -> store.closes());
      node.submit(Bytes.ofUtf8("a=1")).join();
      store.failSyncs();
      node.submit(Bytes.ofUtf8("a=2"));

      NodeStoppedException stopped = assertInstanceOf(NodeStoppedException.class,
          TestCluster.failure(node.whenStopped()));
      assertInstanceOf(StorageException.class, stopped.getCause());
      assertEquals("disk failed", stopped.getCause().getMessage());
      assertEquals(1, closesSeen.join(), "the log store was closed before the future completed");
    } finally {
      node.close();
    }
    assertInstanceOf(NodeStoppedException.class, TestCluster.failure(node.whenStopped()),
        "a close after the fatal stop does not turn it into a normal one");
  }

  @Test
  void noCallerCanCompleteTheFutureTheNodeCompletesAndEveryCallGetsTheSameOne() throws Exception {
    RaftServer node = TestCluster.singleNode("w4", new RecordingStateMachine());
    try {
      CompletableFuture<Void> stop = node.whenStopped();
      assertSame(stop, node.whenStopped(), "one future for every caller: a call costs no memory");
      assertThrows(UnsupportedOperationException.class, () -> stop.complete(null));
      assertThrows(UnsupportedOperationException.class, () -> stop.completeExceptionally(new IllegalStateException("not mine")));
      assertThrows(UnsupportedOperationException.class, () -> stop.cancel(true));
      assertThrows(UnsupportedOperationException.class, () -> stop.obtrudeValue(null));
      CompletableFuture<Void> mine = stop.orTimeout(1, TimeUnit.MILLISECONDS);
      assertNotSame(stop, mine, "a timeout applies to a copy");
      assertThrows(Exception.class, mine::join, "the caller's copy times out");

      assertFalse(stop.isDone(), "the node's own future is untouched");
      assertEquals(Bytes.ofUtf8(""), node.submit(Bytes.ofUtf8("a=1")).join(), "the node goes on");
      node.close();
      assertNull(stop.get(0, TimeUnit.SECONDS), "and completes it normally when it is closed");
    } finally {
      node.close();
    }
  }

  @Test
  void aCallbackMayCloseTheNodeItIsToldAbout() {
    RaftServer node = TestCluster.singleNode("w5", RecordingStateMachine.throwingOn("boom",
        new IllegalStateException("state machine bug")));
    CompletableFuture<Void> closed = node.whenStopped().handle((v, e) -> {
      node.close();
      return null;
    });
    node.submit(Bytes.ofUtf8("boom"));

    closed.orTimeout(20, TimeUnit.SECONDS).join();
    await().atMost(20, TimeUnit.SECONDS).until(() -> TestCluster.threadsOf("w5") == 0);
  }

  /** Live threads of {@code node} other than the caller's own. */
  private static List<String> otherThreadsOf(String node) {
    String prefix = "pontoon-" + node + "-";
    Thread self = Thread.currentThread();
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t != self && t.isAlive() && t.getName().startsWith(prefix))
        .map(Thread::getName).sorted().collect(Collectors.toList());
  }
}
