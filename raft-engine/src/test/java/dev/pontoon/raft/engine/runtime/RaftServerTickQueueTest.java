package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Ticks never pile up in the event loop's queue: a stalled loop holds at most one tick task. */
class RaftServerTickQueueTest {

  /** The production scheduler, counting what is offered to the node's event loop. */
  private static final class CountingScheduler extends ThreadsSchedulerWrapper {
    final AtomicInteger loopOffers = new AtomicInteger();

    @Override
    public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
        Consumer<Throwable> onFailure) {
      TaskQueue<T> queue = threads.newQueue(name, maxBatch, handler, onFailure);
      if (!name.endsWith("-loop")) {
        return queue;
      }
      return new TaskQueue<>() {
        @Override
        public void start() {
          queue.start();
        }

        @Override
        public boolean offer(T item) {
          loopOffers.incrementAndGet();
          return queue.offer(item);
        }

        @Override
        public void stop() {
          queue.stop();
        }

        @Override
        public boolean isStopping() {
          return queue.isStopping();
        }

        @Override
        public List<T> drain() {
          return queue.drain();
        }

        @Override
        public boolean isCurrentThread() {
          return queue.isCurrentThread();
        }
      };
    }

  }

  @Test
  void ticksOfAStalledLoopQueueOneTaskNotOneEach() throws Exception {
    CountingScheduler scheduler = new CountingScheduler();
    ManualTickSource ticks = new ManualTickSource();
    InMemoryNetwork network = new InMemoryNetwork();
    GatedTransport transport = new GatedTransport(network.transport(NodeId.of("t1")));
    try (RaftServer node = RaftServer.builder().nodeId("t1").cluster(ClusterConfig.ofVoters("t1", "t2"))
        .transport(transport).logStore(new InMemoryLogStore()).stateMachine(new RecordingStateMachine())
        .tickSource(ticks).scheduler(scheduler).bootstrapLeader(NodeId.of("t1")).build()) {
      assertEquals(Role.LEADER, node.status().role());
      transport.hold();
      node.submit(Bytes.ofUtf8("a=1")); // the loop sends an AppendEntries and is pinned there
      await().atMost(20, TimeUnit.SECONDS).until(transport::isBlocked);
      int before = scheduler.loopOffers.get();
      int queued;
      try {
        ticks.tick(10_000);
        queued = scheduler.loopOffers.get() - before;
      } finally {
        transport.release(); // unpins the loop, so that close() can stop it
      }

      assertTrue(queued <= 1, queued + " tasks queued for 10,000 ticks of a stalled loop");
    }
  }
}
