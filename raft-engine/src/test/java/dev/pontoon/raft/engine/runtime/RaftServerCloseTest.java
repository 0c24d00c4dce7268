package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.IndeterminateStateException;
import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code close()} is safe from anywhere: from a future's callback on the apply thread or on the
 * event loop, and while another thread closes the node at the same time. It never deadlocks and
 * never throws, and once it was called the state machine sees no further {@code apply}.
 */
class RaftServerCloseTest {

  private static final int PATIENCE_SECONDS = 20;

  /**
   * A leader of a two-voter cluster whose other voter never starts: it leads at once (bootstrap)
   * and can commit nothing, and its ticks come only from {@code ticks}.
   */
  private static RaftServer lonelyLeader(String id, ManualTickSource ticks) {
    return RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(id, id + "-absent"))
        .transport(new InMemoryNetwork().transport(NodeId.of(id))).logStore(new InMemoryLogStore())
        .stateMachine(new RecordingStateMachine()).tickSource(ticks).bootstrapLeader(NodeId.of(id)).build();
  }

  /** Starts a leadership transfer to the absent voter and returns once the loop has registered it. */
  private static CompletableFuture<Void> pendingTransfer(RaftServer leader) {
    CompletableFuture<Void> transfer = leader.transferLeadership(NodeId.of(leader.id().value() + "-absent"));
    // Thesis §3.10: a leader refuses proposals during a transfer, so this refusal proves it is under way.
    assertInstanceOf(NotLeaderException.class, TestCluster.failure(leader.submit(Bytes.ofUtf8("x=1"))));
    assertFalse(transfer.isDone(), "the transfer waits for the absent voter");
    return transfer;
  }

  @Test
  void closeFromASubmitCallbackOnTheApplyThreadStopsApplyingAtOnce() {
    FailingLogStore store = new FailingLogStore();
    RecordingStateMachine machine = new RecordingStateMachine();
    RaftServer node = RaftServer.builder().nodeId("a1").cluster(ClusterConfig.ofVoters("a1"))
        .transport(new InMemoryNetwork().transport(NodeId.of("a1"))).logStore(store)
        .snapshotStore(new InMemorySnapshotStore()).stateMachine(machine).tickSource(new ManualTickSource())
        .bootstrapLeader(NodeId.of("a1")).applyOnEventLoop(false).build(); // the apply thread's case
    try {
      node.submit(Bytes.ofUtf8("a=0")).orTimeout(PATIENCE_SECONDS, TimeUnit.SECONDS).join();
      // Hold the disk so that the next 49 commands commit together and reach the apply thread as one batch.
      // (Index 1 is the bootstrap entry, a=0 is at 2.)
      store.stallSyncs();
      node.submit(Bytes.ofUtf8("a=1"));
      await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> store.stalledSyncs() >= 1);
      List<CompletableFuture<Bytes>> batch = new ArrayList<>();
      for (int i = 2; i <= 50; i++) {
        batch.add(node.submit(Bytes.ofUtf8("a=" + i)));
      }
      await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> node.status().lastLogIndex() == 52);
      AtomicReference<String> callbackThread = new AtomicReference<>();
      AtomicInteger appliedAtClose = new AtomicInteger(-1);
      CompletableFuture<Void> closed = new CompletableFuture<>();
      batch.get(0).whenComplete((result, error) -> {
        callbackThread.set(Thread.currentThread().getName());
        appliedAtClose.set(machine.appliedCount());
        try {
          node.close();
          closed.complete(null);
        } catch (Throwable t) {
          closed.completeExceptionally(t);
        }
      });

      store.resumeSyncs();

      assertDoesNotThrow(() -> closed.get(PATIENCE_SECONDS, TimeUnit.SECONDS), "close() from the callback");
      assertEquals("pontoon-a1-apply", callbackThread.get(), "the callback ran on the apply thread");
      await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> TestCluster.threadsOf("a1") == 0);
      assertEquals(appliedAtClose.get(), machine.appliedCount(), "no entry is applied once close() was called");
      for (CompletableFuture<Bytes> f : batch.subList(1, batch.size())) {
        NodeStoppedException e = assertInstanceOf(NodeStoppedException.class, TestCluster.failure(f));
        assertNull(e.getCause(), "a clean stop, not a fatal failure");
      }
    } finally {
      store.resumeSyncs();
      node.close();
    }
  }

  @Test
  void closeFromACallbackOnTheLoopThreadStopsTheNode() {
    ManualTickSource ticks = new ManualTickSource();
    RaftServer leader = lonelyLeader("l1", ticks);
    try {
      CompletableFuture<Void> transfer = pendingTransfer(leader);
      AtomicReference<String> callbackThread = new AtomicReference<>();
      CompletableFuture<Void> closed = new CompletableFuture<>();
      transfer.whenComplete((result, error) -> {
        callbackThread.set(Thread.currentThread().getName());
        try {
          leader.close();
          closed.complete(null);
        } catch (Throwable t) {
          closed.completeExceptionally(t);
        }
      });

      // The transfer gives up after an election timeout, counted in ticks on the loop.
      ticks.tick(1000);

      assertDoesNotThrow(() -> closed.get(PATIENCE_SECONDS, TimeUnit.SECONDS), "close() from the callback");
      assertEquals("pontoon-l1-loop", callbackThread.get(), "the callback ran on the event loop");
      assertInstanceOf(IndeterminateStateException.class, TestCluster.failure(transfer));
      await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> TestCluster.threadsOf("l1") == 0);
      assertTrue(ticks.isClosed(), "the node stopped completely");
      NodeStoppedException e = assertInstanceOf(NodeStoppedException.class,
          TestCluster.failure(leader.submit(Bytes.ofUtf8("y=1"))));
      assertNull(e.getCause(), "a clean stop, not a fatal failure");
    } finally {
      leader.close();
    }
  }

  @Test
  void closeFromTheCallbackOfAFutureThatCloseFailsThrowsNothing() {
    RaftServer leader = lonelyLeader("c1", new ManualTickSource());
    CompletableFuture<Void> transfer = pendingTransfer(leader);
    AtomicReference<Throwable> nested = new AtomicReference<>();
    transfer.whenComplete((result, error) -> {
      try {
        leader.close();
      } catch (Throwable t) {
        nested.set(t);
      }
    });

    assertDoesNotThrow(leader::close);

    assertNull(nested.get(), "the nested close() threw");
    assertInstanceOf(NodeStoppedException.class, TestCluster.failure(transfer));
    assertEquals(0, TestCluster.threadsOf("c1"));
  }

  @Test
  void userCloseWhileACallbackClosesTooEndsWithoutDeadlock() {
    ManualTickSource ticks = new ManualTickSource();
    RaftServer leader = lonelyLeader("u1", ticks);
    CompletableFuture<Void> transfer = pendingTransfer(leader);
    CompletableFuture<Void> userClosed = new CompletableFuture<>();
    Thread user = new Thread(() -> {
      leader.close();
      userClosed.complete(null);
    }, "user-closer");
    user.setDaemon(true);
    AtomicReference<Throwable> callbackError = new AtomicReference<>();
    transfer.whenComplete((result, error) -> {
      // On the loop: another thread starts closing the node and waits for the loop to end, then
      // this callback closes the node too.
      user.start();
      await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> user.getState() == Thread.State.WAITING);
      try {
        leader.close();
      } catch (Throwable t) {
        callbackError.set(t);
      }
    });

    ticks.tick(1000);

    assertDoesNotThrow(() -> userClosed.get(PATIENCE_SECONDS, TimeUnit.SECONDS), "the user's close() returned");
    assertNull(callbackError.get(), "the callback's close() threw");
    assertEquals(0, TestCluster.threadsOf("u1"), "the user's close() returns once every node thread ended");
  }
}
