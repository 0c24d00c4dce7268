package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.NodeStoppedException;
import dev.pontoon.raft.Role;
import dev.pontoon.raft.engine.RaftServer;
import dev.pontoon.raft.engine.memory.InMemoryLogStore;
import dev.pontoon.raft.engine.memory.InMemoryNetwork;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.storage.LogStore;
import dev.pontoon.raft.storage.StorageException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code proposalLinger}: after a leader answered writes, a new write waits until as many have
 * come back or the linger's timer fires; a write when none was answered is never held.
 */
class RaftServerProposalLingerTest {

  /** Threads for the queues, a clock that stands still, and timers that fire only when the test says. */
  private static final class ManualTimerScheduler extends ThreadsSchedulerWrapper {
    final List<Runnable> timers = new CopyOnWriteArrayList<>();

    /** Stands still unless a test moves it: answers never grow old, deadlines never pass. */
    volatile long now = 1L << 40;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void runLater(long delayNanos, Runnable task) {
      timers.add(task);
    }

    void fireTimers() {
      for (Runnable t : new ArrayList<>(timers)) {
        timers.remove(t);
        t.run();
      }
    }
  }

  /** Blocks the apply of the command "gate" until opened, so that writes can pile up behind it. */
  private static final class GatedStateMachine extends RecordingStateMachine {
    final CountDownLatch gate = new CountDownLatch(1);

    @Override
    public Bytes apply(long index, Bytes command) {
      if (command.toUtf8().equals("gate")) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return super.apply(index, command);
    }
  }

  private final ManualTimerScheduler scheduler = new ManualTimerScheduler();
  private final GatedStateMachine machine = new GatedStateMachine();

  private RaftServer leaderWithLinger() {
    return leaderWithLinger(new InMemoryLogStore());
  }

  private RaftServer leaderWithLinger(LogStore store) {
    RaftServer node = RaftServer.builder().nodeId("p1").cluster(ClusterConfig.ofVoters("p1"))
        .transport(new InMemoryNetwork().transport(NodeId.of("p1"))).logStore(store)
        .stateMachine(machine).tickInterval(TestCluster.TICK).scheduler(scheduler).applyOnEventLoop(false)
        .proposalLinger(Duration.ofMillis(100)).build();
    await().atMost(20, TimeUnit.SECONDS).until(() -> node.status().role() == Role.LEADER);
    return node;
  }

  /** Four writes answered together: the gate and three queued behind its apply. */
  private void answerFourTogether(RaftServer node) {
    CompletableFuture<Bytes> gate = node.submit(Bytes.ofUtf8("gate"));
    List<CompletableFuture<Bytes>> behind = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      behind.add(node.submit(Bytes.ofUtf8("w" + i + "=x")));
    }
    await().atMost(20, TimeUnit.SECONDS).until(() -> node.status().commitIndex() >= 5); // no-op + 4
    machine.gate.countDown();
    gate.join();
    behind.forEach(CompletableFuture::join);
  }

  @Test
  void aWriteWhenNoneWasAnsweredIsNotHeld() {
    try (RaftServer node = leaderWithLinger()) {
      CompletableFuture<Bytes> first = node.submit(Bytes.ofUtf8("a=1"));
      machine.gate.countDown();
      first.join();
      assertEquals(List.of(), scheduler.timers, "nothing was held, so no linger timer was set");
    }
  }

  @Test
  void aWriteAfterAnsweredWritesWaitsForTheOthersOrTheLingerTimer() {
    try (RaftServer node = leaderWithLinger()) {
      answerFourTogether(node);
      CompletableFuture<Bytes> back = node.submit(Bytes.ofUtf8("b=1"));
      await().atMost(20, TimeUnit.SECONDS).until(() -> scheduler.timers.size() == 1);
      // Held: one of four clients is back, and the timer has not fired, so nothing proposes it.
      long lastIndex = node.status().lastLogIndex();
      assertFalse(back.isDone());
      assertEquals(5, lastIndex, "the held write is not in the log yet");
      scheduler.fireTimers();
      back.join();
      assertEquals("1", node.read(Bytes.ofUtf8("b")).join().toUtf8());
    }
  }

  @Test
  void heldWritesGoOutOnceAsManyAsWereAnsweredAreBack() {
    try (RaftServer node = leaderWithLinger()) {
      answerFourTogether(node);
      List<CompletableFuture<Bytes>> back = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        back.add(node.submit(Bytes.ofUtf8("c" + i + "=1")));
      }
      // Completed without the timer: the fourth one back ends the hold the first one began.
      back.forEach(f -> f.orTimeout(20, TimeUnit.SECONDS).join());
      assertEquals(1, scheduler.timers.size(), "the first one back began a hold");
      List<String> applied = machine.appliedCommands();
      assertEquals(List.of("c0=1", "c1=1", "c2=1", "c3=1"), applied.subList(applied.size() - 4, applied.size()),
          "held writes are proposed in the order they arrived");
      scheduler.fireTimers(); // the timer of a hold that ended changes nothing
      assertEquals("1", node.read(Bytes.ofUtf8("c3")).join().toUtf8());
    }
  }

  @Test
  void aHeldWriteFailsWhenTheNodeStops() {
    RaftServer node = leaderWithLinger();
    answerFourTogether(node);
    CompletableFuture<Bytes> held = node.submit(Bytes.ofUtf8("d=1"));
    await().atMost(20, TimeUnit.SECONDS).until(() -> scheduler.timers.size() == 1);
    node.close();
    CompletionException e = assertThrows(CompletionException.class, held::join);
    NodeStoppedException stopped = assertInstanceOf(NodeStoppedException.class, e.getCause());
    assertFalse(stopped.mayStillCommit(), "a held write never reached the core: it cannot commit");
  }

  /**
   * Proposing a held write may throw (a failing store, a broken invariant: fatal, the node stops).
   * That write, those held after it, which left the linger together, and the write whose arrival
   * ended the hold are in neither the linger nor the pending proposals, where the stop would fail
   * them: each is answered all the same, and as never committed (safe to retry): the one that
   * threw appended nothing, the others never reached the core.
   */
  @Test
  void heldWritesAreAnsweredWhenTheCoreThrowsProposingOne() {
    ProposeFailingLogStore store = new ProposeFailingLogStore();
    RaftServer node = leaderWithLinger(store);
    try {
      answerFourTogether(node);
      List<CompletableFuture<Bytes>> writes = new ArrayList<>();
      writes.add(node.submit(Bytes.ofUtf8("e0=1")));
      writes.add(node.submit(Bytes.ofUtf8("e1=1")));
      node.read(Bytes.ofUtf8("a")).orTimeout(20, TimeUnit.SECONDS).join(); // after both on the loop: both are held
      assertEquals(1, scheduler.timers.size(), "the first one back began a hold");
      StorageException cause = new StorageException("disk read failed in propose");
      store.failNextPropose(cause);
      scheduler.now += Duration.ofSeconds(1).toNanos(); // the answers are old: the next write is not held

      writes.add(node.submit(Bytes.ofUtf8("e2=1"))); // proposes the held ones first: e0 throws

      for (int i = 0; i < writes.size(); i++) {
        Throwable outcome = TestCluster.failure(writes.get(i));
        String which = "e" + i + "=1";
        assertInstanceOf(NodeStoppedException.class, outcome, () -> "write " + which + ": " + outcome);
        assertSame(cause, outcome.getCause());
        assertFalse(((NodeStoppedException) outcome).mayStillCommit(),
            () -> "write " + which + " never entered the log, yet the answer says it may still commit");
      }
      assertTrue(store.thrown());
    } finally {
      node.close();
    }
  }
}
