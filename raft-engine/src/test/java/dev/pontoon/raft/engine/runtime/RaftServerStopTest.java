package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.RaftException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.StorageException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A failing store or state machine stops the node; close stops it cleanly; every pending request is answered. */
class RaftServerStopTest {

  @Test
  void failingLogStoreStopsTheNodeAndFailsPendingRequestsWithTheCause() {
    InMemoryNetwork network = new InMemoryNetwork();
    FailingLogStore store = new FailingLogStore();
    RaftServer node = RaftServer.builder().nodeId("n1").cluster(ClusterConfig.ofVoters("n1"))
        .transport(network.transport(NodeId.of("n1"))).logStore(store).snapshotStore(new InMemorySnapshotStore())
        .stateMachine(new RecordingStateMachine())
        .tickInterval(TestCluster.TICK).build();
    try {
      await().atMost(20, TimeUnit.SECONDS).until(() -> node.status().role() == dev.pontoon.raft.Role.LEADER);
      node.submit(Bytes.ofUtf8("a=1")).join();
      store.failSyncs();
      NodeStoppedException stopped = assertInstanceOf(NodeStoppedException.class,
          TestCluster.failure(node.submit(Bytes.ofUtf8("a=2"))));
      assertInstanceOf(StorageException.class, stopped.getCause());
      assertEquals("disk failed", stopped.getCause().getMessage());
      NodeStoppedException later = assertInstanceOf(NodeStoppedException.class,
          TestCluster.failure(node.submit(Bytes.ofUtf8("a=3"))));
      assertSame(stopped.getCause(), later.getCause(), "the node stays stopped, for the same reason");
      await().atMost(20, TimeUnit.SECONDS).until(() -> TestCluster.threadsOf("n1") == 0 && store.closes() == 1);
    } finally {
      node.close();
    }
    assertEquals(1, store.closes(), "close after a fatal stop is idempotent");
  }

  @Test
  void closeFailsPendingRequestsAndLeavesNoThread() {
    InMemoryNetwork network = new InMemoryNetwork();
    ClusterConfig three = ClusterConfig.ofVoters("c1", "c2", "c3");
    RaftServer lonely = RaftServer.builder().nodeId("c1").cluster(three).transport(network.transport(NodeId.of("c1")))
        .logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine()).tickInterval(TestCluster.TICK)
        .build();
    assertEquals(6, TestCluster.threadsOf("c1"), "loop, sync, apply, tick, snapshot-out and snapshot-in threads");
    CompletableFuture<Void> transfer = lonely.transferLeadership(NodeId.of("c2"));
    lonely.close();
    lonely.close();
    assertEquals(0, TestCluster.threadsOf("c1"));
    assertInstanceOf(RaftException.class, TestCluster.failure(transfer));
    assertInstanceOf(NodeStoppedException.class, TestCluster.failure(lonely.submit(Bytes.ofUtf8("a=1"))));
    assertInstanceOf(NodeStoppedException.class, TestCluster.failure(lonely.read(Bytes.ofUtf8("a"))));
  }

  /**
   * A write submitted to a stopped node never reaches its log, so its answer says it can never
   * commit: a retry elsewhere cannot apply it twice (a client such as the KV example answers it
   * as "retry", not as "outcome unknown").
   */
  @Test
  void aWriteSubmittedAfterTheStopIsAnsweredAsNeverAppended() {
    RaftServer node = TestCluster.singleNode("s1", new RecordingStateMachine());
    node.close();

    NodeStoppedException e = assertInstanceOf(NodeStoppedException.class,
        TestCluster.failure(node.submit(Bytes.ofUtf8("a=1"))));

    assertFalse(e.mayStillCommit(), "a write the stopped node never took may not still commit: " + e.getMessage());
  }

  @Test
  void stateMachineThatThrowsFromApplyStopsTheNode() {
    IllegalStateException bug = new IllegalStateException("state machine bug");
    RaftServer node = TestCluster.singleNode("f1", RecordingStateMachine.throwingOn("boom", bug));
    try {
      node.submit(Bytes.ofUtf8("a=1")).join();
      NodeStoppedException e = assertInstanceOf(NodeStoppedException.class, TestCluster.failure(node.submit(Bytes.ofUtf8("boom"))));
      assertSame(bug, e.getCause(), "replicas could diverge past a failed apply: the node stops");
      await().atMost(20, TimeUnit.SECONDS).until(() -> TestCluster.threadsOf("f1") == 0);
    } finally {
      node.close();
    }
  }

  @Test
  void queryThatThrowsFailsOnlyThatRead() {
    RaftServer node = TestCluster.singleNode("q1", new RecordingStateMachine() {
      @Override
      public synchronized Bytes query(Bytes query) {
        if (query.toUtf8().equals("bad")) {
          throw new IllegalArgumentException("unknown query");
        }
        return super.query(query);
      }
    });
    try {
      node.submit(Bytes.ofUtf8("a=1")).join();
      Throwable e = TestCluster.failure(node.read(Bytes.ofUtf8("bad")));
      assertEquals("unknown query", e.getMessage());
      assertEquals(Bytes.ofUtf8("1"), node.read(Bytes.ofUtf8("a")).join(), "the node goes on");
    } finally {
      node.close();
    }
  }

  @Test
  void nullRequestsAreRefusedAtOnceAndTheNodeGoesOn() {
    RaftServer node = TestCluster.singleNode("z1", new RecordingStateMachine());
    try {
      assertEquals("command", org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
          () -> node.submit(null)).getMessage());
      assertEquals("query", org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
          () -> node.read(null)).getMessage());
      assertEquals("target", org.junit.jupiter.api.Assertions.assertThrows(NullPointerException.class,
          () -> node.transferLeadership(null)).getMessage());
      assertEquals(Bytes.ofUtf8(""), node.submit(Bytes.ofUtf8("a=1")).join());
    } finally {
      node.close();
    }
  }

  @Test
  void storeThatFailsDuringRecoveryFailsBuildAndStartsNothing() {
    FailingLogStore store = new FailingLogStore();
    store.failSyncs();
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    StorageException e = org.junit.jupiter.api.Assertions.assertThrows(StorageException.class,
        () -> RaftServer.builder().nodeId("r1").cluster(ClusterConfig.ofVoters("r1", "r2"))
            .transport(new InMemoryNetwork().transport(NodeId.of("r1"))).logStore(store)
            .snapshotStore(new InMemorySnapshotStore())
            .stateMachine(new RecordingStateMachine()).bootstrapLeader(NodeId.of("r1")).meterRegistry(registry)
            .build());
    assertEquals("disk failed", e.getMessage());
    assertEquals(0, TestCluster.threadsOf("r1"));
    assertTrue(registry.getMeters().isEmpty(), "no meters left behind: " + registry.getMeters());
  }
}
