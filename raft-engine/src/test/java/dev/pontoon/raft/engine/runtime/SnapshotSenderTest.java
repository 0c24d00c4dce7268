package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.SnapshotStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader's side of a streamed snapshot: the window, the rate budget, and going back on loss. */
class SnapshotSenderTest {
  private static final NodeId SELF = NodeId.of("n1");
  private static final NodeId PEER = NodeId.of("n2");
  private static final SnapshotMeta META = new SnapshotMeta(30, 2, ClusterConfig.ofVoters("n1", "n2", "n3"));

  private final InMemorySnapshotStore store = new InMemorySnapshotStore();
  private final AdjustableClockScheduler clock = new AdjustableClockScheduler();
  private final List<RaftMessage> sent = new CopyOnWriteArrayList<>();
  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  /** Indexes of snapshots the sender found unreadable. */
  private final List<Long> unreadable = new CopyOnWriteArrayList<>();
  private SnapshotSender sender;

  private void start(SnapshotPolicy policy, int size) {
    start(policy, size, store);
  }

  /** As above, the sender reading the snapshot through {@code view} of the store. */
  private void start(SnapshotPolicy policy, int size, SnapshotStore view) {
    store.save(new Snapshot(META, Bytes.wrap(new byte[size])));
    sender = new SnapshotSender(SELF, clock, "pontoon-t-snapshot-out", view, policy, Integer.MAX_VALUE,
        new NodeMetrics(new SimpleMeterRegistry(), "g", SELF, null), sent::add, unreadable::add, fatal::add);
    sender.start();
    sender.requested(new InstallSnapshot(SELF, PEER, 5, 30, 2, META.config(), 0, Bytes.EMPTY, true));
  }

  @AfterEach
  void stop() {
    sender.stop();
    assertEquals(List.of(), fatal);
  }

  private List<Long> offsets() {
    return sent.stream().map(m -> ((InstallSnapshot) m).offset()).toList();
  }

  private void answer(long nextOffset) {
    sender.answered(new InstallSnapshotResponse(PEER, SELF, 5, 30, nextOffset, false));
  }

  /**
   * A snapshot that fails its checksum while read for sending is never sent whole, and the node is
   * asked to take a new one (an idle cluster would otherwise never get one).
   */
  @Test
  void aSnapshotThatFailsItsChecksumIsNotFinishedAndANewOneIsAskedFor() {
    DamageableSnapshotStore damaged = new DamageableSnapshotStore(store);
    damaged.damageThrough(30);
    start(new SnapshotPolicy(100, 3, 0, 0), 250, damaged);
    await().atMost(5, TimeUnit.SECONDS).until(() -> unreadable.equals(List.of(30L)));
    assertTrue(sent.stream().noneMatch(m -> ((InstallSnapshot) m).done()), "no piece ends a transfer: " + sent);
  }

  @Test
  void noMoreThanTheWindowIsUnacknowledgedAndAcknowledgementsSlideIt() {
    start(new SnapshotPolicy(100, 3, 0, 0), 1_000);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 3);
    assertEquals(List.of(0L, 100L, 200L), offsets());

    answer(200);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 5);
    assertEquals(List.of(0L, 100L, 200L, 300L, 400L), offsets());
  }

  @Test
  void theLastPieceCarriesTheChecksumAndIsMarkedDone() {
    start(new SnapshotPolicy(600, 4, 0, 0), 1_000);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 2);
    InstallSnapshot last = (InstallSnapshot) sent.get(1);
    assertTrue(last.done());
    assertEquals(400 + SnapshotReceiver.TRAILER, last.data().size());
    assertEquals(store.newest().orElseThrow().checksum(), java.nio.ByteBuffer.wrap(last.data().toByteArray(), 400, 4)
        .getInt());
  }

  @Test
  void withoutProgressForAFewTicksItResendsFromWhatWasAcknowledged() {
    start(new SnapshotPolicy(100, 2, 0, 0), 1_000);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 2);
    answer(100); // the piece at 100 was lost: the follower still expects 100
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 3);
    for (int i = 0; i < SnapshotSender.RESEND_TICKS; i++) {
      sender.tick();
    }
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 5);
    assertEquals(List.of(0L, 100L, 200L, 100L, 200L), offsets());
  }

  @Test
  void anAnswerOfZeroStartsTheTransferOver() {
    start(new SnapshotPolicy(100, 2, 0, 0), 1_000);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 2);
    answer(100);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 3);
    answer(0); // the follower restarted
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 5);
    assertEquals(List.of(0L, 100L, 200L, 0L, 100L), offsets());
  }

  /**
   * A late answer from before the follower started over (a restart, a failed check) can name an
   * offset past what the follower now holds. The follower's next answer says so, lower than what
   * was taken as acknowledged: the sender must go back there, not keep resending past the gap
   * until it gives up.
   */
  @Test
  void anAnswerBelowWhatWasAcknowledgedSendsFromThereAgain() {
    start(new SnapshotPolicy(100, 2, 0, 0), 1_000);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 2);
    answer(100);
    answer(200);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 4);
    answer(0); // the follower started over
    await().atMost(5, TimeUnit.SECONDS).until(() -> offsets().subList(4, offsets().size()).contains(100L));
    answer(300); // a late answer from before it did
    await().atMost(5, TimeUnit.SECONDS).until(() -> offsets().get(offsets().size() - 1) >= 300L);
    int before = sent.size();

    answer(100); // the truth: it holds the piece at 0 only

    await().atMost(5, TimeUnit.SECONDS).until(() -> offsets().subList(before, offsets().size()).contains(100L));
  }

  @Test
  void theRateBudgetHoldsPiecesBackUntilTimePasses() {
    start(new SnapshotPolicy(1_000, 100, 2_000, 0), 10_000);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 1);
    sender.tick();
    await().pollDelay(Duration.ofMillis(200)).atMost(5, TimeUnit.SECONDS).until(() -> true);
    assertEquals(1, sent.size(), "no budget left before time passes");

    clock.advance(Duration.ofSeconds(1));
    sender.tick();
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 3);
    await().pollDelay(Duration.ofMillis(200)).atMost(5, TimeUnit.SECONDS).until(() -> true);
    assertEquals(3, sent.size(), "2,000 bytes per second: two more pieces of 1,000 after one second");
  }
}
