package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NotLeaderException;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.transport.Transport;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The answers to the pieces of a streamed snapshot leave from the snapshot receiver, not from
 * the core's Ready, and still follow Figure 2: the term they carry is durable first.
 */
class RaftServerSnapshotAnswerTest {

  private static final int PATIENCE_SECONDS = 20;
  private static final NodeId B1 = NodeId.of("b1");
  private static final NodeId B2 = NodeId.of("b2");
  private static final ClusterConfig PAIR = ClusterConfig.ofVoters("b1", "b2");
  private final InMemoryNetwork network = new InMemoryNetwork();
  private final FailingLogStore disk = new FailingLogStore();
  private final Transport b2 = network.transport(B2); // played by the test
  private RaftServer b1;

  @AfterEach
  void close() {
    disk.resumeSyncs(); // before close, which waits for the sync thread
    if (b1 != null) {
      b1.close();
    }
    b2.close();
  }

  /** An answer as b2 received it, with the term b1's disk held at that moment. */
  private record Arrival(InstallSnapshotResponse answer, long durableTerm) {}

  /**
   * The production scheduler, counting the pieces the snapshot receiver has handled: once the
   * count is up, the receiver has written the piece and queued its answer to the event loop.
   */
  private static final class PieceCountingScheduler extends ThreadsSchedulerWrapper {
    final AtomicInteger piecesHandled = new AtomicInteger();

    @Override
    public <T> TaskQueue<T> newQueue(String name, int maxBatch, TaskQueue.Handler<T> handler,
        Consumer<Throwable> onFailure) {
      if (!name.endsWith("-snapshot-in")) {
        return threads.newQueue(name, maxBatch, handler, onFailure);
      }
      return threads.newQueue(name, maxBatch, batch -> {
        handler.handle(batch);
        piecesHandled.addAndGet(batch.size());
      }, onFailure);
    }

    @Override
    public <T> TaskQueue<T> newEventLoop(String name, int maxBatch, TaskQueue.Handler<T> handler,
        Consumer<Throwable> onFailure) {
      return threads.newEventLoop(name, maxBatch, handler, onFailure);
    }

  }

  /**
   * Every message carries its sender's term, and a node persists {@code currentTerm} before it
   * answers any RPC: a piece of a streamed snapshot from a new leader makes this node adopt the
   * leader's term, and the receiver's answer to that piece, which carries the term, leaves only
   * once the term is on disk. Otherwise a crash could bring the node back in the older term after
   * it has spoken in the newer one: its term would go backwards. Here b1 is a leader whose own write is still
   * being synced when b2's piece of term 2 deposes it, so that the new term is written behind
   * that sync rather than at once on the loop (Figure 2, "Rules for All Servers" and
   * "Persistent state").
   */
  @Test
  void aSnapshotPieceIsAnsweredOnlyAfterTheTermItCarriesIsDurable() {
    List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    b2.start(m -> {
      if (m instanceof InstallSnapshotResponse r) {
        arrivals.add(new Arrival(r, disk.durableTerm()));
      }
    });
    PieceCountingScheduler scheduler = new PieceCountingScheduler();
    b1 = RaftServer.builder().nodeId(B1).cluster(PAIR).transport(network.transport(B1)).logStore(disk)
        .snapshotStore(new InMemorySnapshotStore()).stateMachine(new RecordingStateMachine())
        .tickSource(new ManualTickSource()).scheduler(scheduler).bootstrapLeader(B1).build();
    disk.stallSyncs();
    b1.submit(Bytes.ofUtf8("k=1"));
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> disk.stalledSyncs() == 1);

    b2.send(new InstallSnapshot(B2, B1, 2, 10, 1, PAIR, 0, Bytes.ofUtf8("8 bytes!"), false));
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> scheduler.piecesHandled.get() == 1);
    // Queued to the loop after the receiver's answer: once it is refused, the loop has had the answer.
    assertInstanceOf(NotLeaderException.class, TestCluster.failure(b1.submit(Bytes.ofUtf8("k=2"))));
    assertEquals(List.of(), arrivals, "no answer of term 2 while b1's disk holds term 1");

    disk.resumeSyncs();
    await().atMost(PATIENCE_SECONDS, TimeUnit.SECONDS).until(() -> !arrivals.isEmpty());
    assertEquals(List.of(new Arrival(new InstallSnapshotResponse(B1, B2, 2, 10, 8, false), 2)), arrivals,
        "the piece is answered, with the offset expected next, once term 2 is durable");
  }
}
