package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where the state machine runs: on the apply thread by default; on the event loop with
 * {@code applyOnEventLoop(true)}, with the same results, reads and failure rules.
 */
class RaftServerApplyOnLoopTest {

  /** Records the threads that apply and query. */
  private static class ThreadRecordingStateMachine extends RecordingStateMachine {
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    @Override
    public synchronized Bytes apply(long index, Bytes command) {
      if (command.toUtf8().equals("boom")) {
        throw new IllegalStateException("state machine bug");
      }
      threads.add(Thread.currentThread().getName());
      return super.apply(index, command);
    }

    @Override
    public synchronized Bytes query(Bytes query) {
      threads.add(Thread.currentThread().getName());
      return super.query(query);
    }
  }

  private static RaftServer singleNode(String id, ThreadRecordingStateMachine machine, boolean onLoop) {
    RaftServer node = RaftServer.builder().nodeId(id).cluster(ClusterConfig.ofVoters(id))
        .transport(new InMemoryNetwork().transport(NodeId.of(id))).logStore(new InMemoryLogStore())
        .stateMachine(machine).tickInterval(TestCluster.TICK).applyOnEventLoop(onLoop).build();
    await().atMost(20, TimeUnit.SECONDS).until(() -> node.status().role() == Role.LEADER);
    return node;
  }

  @Test
  void byDefaultAQuickStateMachineRunsOnTheLoopAndASlowOneMovesToTheApplyThread() {
    AdjustableClockScheduler clock = new AdjustableClockScheduler();
    ThreadRecordingStateMachine machine = new ThreadRecordingStateMachine() {
      @Override
      public synchronized Bytes apply(long index, Bytes command) {
        if (command.toUtf8().startsWith("slow")) {
          clock.advance(Duration.ofSeconds(1)); // as if apply had taken a second
        }
        return super.apply(index, command);
      }
    };
    RaftServer node = RaftServer.builder().nodeId("a5").cluster(ClusterConfig.ofVoters("a5"))
        .transport(new InMemoryNetwork().transport(NodeId.of("a5"))).logStore(new InMemoryLogStore())
        .stateMachine(machine).tickInterval(TestCluster.TICK).scheduler(clock).build();
    try (node) {
      await().atMost(20, TimeUnit.SECONDS).until(() -> node.status().role() == Role.LEADER);
      // Quick: applied and read on the loop (once warm: a cold first batch may overrun the budget).
      await().atMost(20, TimeUnit.SECONDS).until(() -> {
        machine.threads.clear();
        node.submit(Bytes.ofUtf8("k=1")).join();
        node.read(Bytes.ofUtf8("k")).join();
        return machine.threads.equals(Set.of("pontoon-a5-loop"));
      });

      node.submit(Bytes.ofUtf8("slow=1")).join();
      machine.threads.clear();
      assertEquals(Bytes.ofUtf8("1"), node.submit(Bytes.ofUtf8("k=2")).join(), "the same results");
      assertEquals(Set.of("pontoon-a5-apply"), machine.threads, "after a slow batch: the apply thread");

      // Quick again: back on the loop once the apply thread has counted its batch done (which
      // it does just after completing the futures, so the next write may still go to it).
      await().atMost(20, TimeUnit.SECONDS).until(() -> {
        machine.threads.clear();
        node.submit(Bytes.ofUtf8("k=3")).join();
        return machine.threads.equals(Set.of("pontoon-a5-loop"));
      });
    }
  }

  @Test
  void withApplyOnEventLoopFalseTheStateMachineRunsOnTheApplyThreadOnly() {
    ThreadRecordingStateMachine machine = new ThreadRecordingStateMachine();
    try (RaftServer node = singleNode("a1", machine, false)) {
      node.submit(Bytes.ofUtf8("k=1")).join();
      node.read(Bytes.ofUtf8("k")).join();
    }
    assertEquals(Set.of("pontoon-a1-apply"), machine.threads);
  }

  @Test
  void withApplyOnEventLoopTheLoopAppliesAndServesReadsWithTheSameResults() {
    ThreadRecordingStateMachine machine = new ThreadRecordingStateMachine();
    try (RaftServer node = singleNode("a2", machine, true)) {
      assertEquals(Bytes.ofUtf8(""), node.submit(Bytes.ofUtf8("k=1")).join());
      assertEquals(Bytes.ofUtf8("1"), node.submit(Bytes.ofUtf8("k=2")).join(), "the previous value");
      assertEquals(Bytes.ofUtf8("2"), node.read(Bytes.ofUtf8("k")).join());
      assertEquals(5, TestCluster.threadsOf("a2"), "loop, sync, tick, snapshot-out and snapshot-in: no apply thread");
    }
    assertEquals(Set.of("pontoon-a2-loop"), machine.threads);
  }

  @Test
  void anApplyThatThrowsOnTheLoopStopsTheNode() {
    ThreadRecordingStateMachine machine = new ThreadRecordingStateMachine();
    try (RaftServer node = singleNode("a3", machine, true)) {
      node.submit(Bytes.ofUtf8("k=1")).join();
      NodeStoppedException e = assertInstanceOf(NodeStoppedException.class,
          TestCluster.failure(node.submit(Bytes.ofUtf8("boom"))));
      assertInstanceOf(IllegalStateException.class, e.getCause());
      assertSame(e.getCause(), assertInstanceOf(NodeStoppedException.class,
          TestCluster.failure(node.submit(Bytes.ofUtf8("k=2")))).getCause(), "the node stays stopped");
      await().atMost(20, TimeUnit.SECONDS).until(() -> TestCluster.threadsOf("a3") == 0);
    }
  }
}
