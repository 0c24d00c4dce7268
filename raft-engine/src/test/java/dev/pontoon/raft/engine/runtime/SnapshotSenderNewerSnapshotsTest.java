package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.log.Snapshot;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's side of a streamed snapshot while the leader takes newer snapshots (§7): the
 * store prunes older snapshots meanwhile (as {@code FileSnapshotStore} keeps only its newest
 * {@code keep}), and a transfer must neither lose its snapshot nor be dropped for it.
 */
class SnapshotSenderNewerSnapshotsTest {
  private static final NodeId SELF = NodeId.of("n1");
  private static final NodeId PEER = NodeId.of("n2");
  private static final ClusterConfig CONFIG = ClusterConfig.ofVoters("n1", "n2", "n3");

  private final AdjustableClockScheduler clock = new AdjustableClockScheduler();
  private final List<RaftMessage> sent = new CopyOnWriteArrayList<>();
  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  private PruningSnapshotStore store;
  private SnapshotSender sender;

  @AfterEach
  void stop() {
    sender.stop();
    assertEquals(List.of(), fatal);
  }

  private static Snapshot snapshot(long index) {
    return new Snapshot(new SnapshotMeta(index, 2, CONFIG), Bytes.wrap(new byte[1_000]));
  }

  /** A sender of pieces of 100 bytes, two in flight, over a store keeping only its newest snapshot. */
  private void senderOver(PruningSnapshotStore store) {
    this.store = store;
    sender = new SnapshotSender(SELF, clock, "pontoon-t-snapshot-out", store, new SnapshotPolicy(100, 2, 0, 0),
        Integer.MAX_VALUE, new NodeMetrics(new SimpleMeterRegistry(), "g", SELF, null), sent::add, unreadable -> { },
        fatal::add);
    sender.start();
  }

  private void requestSnapshot(long index) {
    sender.requested(new InstallSnapshot(SELF, PEER, 5, index, 2, CONFIG, 0, Bytes.EMPTY, true));
  }

  /** The first pieces of the snapshot at 30 go out, then the leader takes two newer ones. */
  private void sendTwoPiecesThenTakeNewerSnapshots() {
    store.save(snapshot(30));
    requestSnapshot(30);
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 2);
    store.save(snapshot(40));
    store.save(snapshot(50));
  }

  /** The piece at 100 was lost: the follower expects it still, and no progress comes for a while. */
  private void loseThePieceAt100() {
    sender.answered(new InstallSnapshotResponse(PEER, SELF, 5, 30, 100, false));
    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 3);
    for (int i = 0; i < SnapshotSender.RESEND_TICKS; i++) {
      sender.tick();
    }
  }

  private List<Long> offsets() {
    return sent.stream().map(m -> ((InstallSnapshot) m).offset()).toList();
  }

  private List<Long> indexes() {
    return sent.stream().map(m -> ((InstallSnapshot) m).lastIncludedIndex()).toList();
  }

  /**
   * Going back to resend a lost piece reads the snapshot the transfer streams, even after the
   * store pruned it for newer ones: the sender opens it again while its own stream still holds it
   * (the snapshot store's reader rule), so the follower's pieces so far are not wasted (§7).
   */
  @Test
  void aLostPieceIsResentFromTheSnapshotBeingSentAfterNewerOnesAreTaken() {
    senderOver(new PruningSnapshotStore(1, true));
    sendTwoPiecesThenTakeNewerSnapshots();

    loseThePieceAt100();

    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 5);
    assertAll(
        () -> assertEquals(List.of(0L, 100L, 200L, 100L, 200L), offsets()),
        () -> assertEquals(List.of(30L, 30L, 30L, 30L, 30L), indexes()));
  }

  /**
   * A store that does not keep the reader rule may lose the snapshot being sent: the transfer
   * then starts over at once with the newest snapshot, from offset 0 (which the follower takes as
   * a new transfer), instead of being dropped until the leader's snapshot timeout runs out.
   */
  @Test
  void whenTheSnapshotBeingSentIsGoneItStartsOverAtOnceWithTheNewest() {
    senderOver(new PruningSnapshotStore(1, false));
    sendTwoPiecesThenTakeNewerSnapshots();

    loseThePieceAt100();

    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 5);
    assertAll(
        () -> assertEquals(List.of(0L, 100L, 200L, 0L, 100L), offsets()),
        () -> assertEquals(List.of(30L, 30L, 30L, 50L, 50L), indexes()));
  }

  /**
   * No stream holds a snapshot between the store's {@code newest()} and the first {@code open()}:
   * a newer snapshot committed there may prune it, and the transfer then sends the newest.
   */
  @Test
  void aSnapshotPrunedBeforeItsFirstPieceIsReplacedByTheNewest() {
    senderOver(new PruningSnapshotStore(1, true));
    store.save(snapshot(30));
    store.onNextNewest(() -> store.save(snapshot(40)));

    requestSnapshot(30);

    await().atMost(5, TimeUnit.SECONDS).until(() -> sent.size() == 2);
    assertAll(
        () -> assertEquals(List.of(0L, 100L), offsets()),
        () -> assertEquals(List.of(40L, 40L), indexes()));
  }
}
