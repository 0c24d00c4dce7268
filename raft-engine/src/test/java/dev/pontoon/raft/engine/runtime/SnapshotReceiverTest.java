package dev.pontoon.raft.engine.runtime;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.engine.memory.InMemorySnapshotStore;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.ClusterConfig;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The follower's side of a streamed snapshot against bad and out-of-order input: nothing is
 * stored, let alone installed, unless every byte arrived in order and the whole passed its check.
 */
class SnapshotReceiverTest {
  private static final NodeId LEADER = NodeId.of("n1");
  private static final NodeId SELF = NodeId.of("n2");
  private static final ClusterConfig CONFIG = ClusterConfig.ofVoters("n1", "n2", "n3");
  private static final byte[] STATE = "the state machine's bytes".getBytes(StandardCharsets.UTF_8);

  private final InMemorySnapshotStore store = new InMemorySnapshotStore();
  private final List<RaftMessage> answers = new CopyOnWriteArrayList<>();
  private final List<InstallSnapshot> installed = new CopyOnWriteArrayList<>();
  private final List<Throwable> fatal = new CopyOnWriteArrayList<>();
  private final SnapshotReceiver receiver = new SnapshotReceiver(SELF, NodeScheduler.threads(), "pontoon-t-snapshot-in",
      store, new NodeMetrics(new SimpleMeterRegistry(), "g", SELF, null), answers::add, installed::add, fatal::add);

  {
    receiver.start();
  }

  @AfterEach
  void stop() {
    receiver.stop();
    assertEquals(List.of(), fatal);
  }

  /** A piece of {@link #STATE} at {@code [from, to)}, the last one ending with the checksum. */
  private static InstallSnapshot piece(long term, long index, int from, int to, int checksum) {
    boolean done = to == STATE.length;
    byte[] data = Arrays.copyOfRange(STATE, from, done ? to + 4 : to);
    if (done) {
      ByteBuffer.wrap(data, to - from, 4).putInt(checksum);
    }
    return new InstallSnapshot(LEADER, SELF, term, index, 2, CONFIG, from, Bytes.wrap(data), done);
  }

  private static int crc() {
    CRC32C crc = new CRC32C();
    crc.update(STATE);
    return (int) crc.getValue();
  }

  private void awaitAnswers(int count) {
    await().atMost(10, TimeUnit.SECONDS).until(() -> answers.size() >= count);
  }

  private long lastNextOffset() {
    return ((InstallSnapshotResponse) answers.get(answers.size() - 1)).nextOffset();
  }

  @Test
  void piecesInOrderWithTheRightChecksumAreStoredThenHandedToTheCoreWhole() {
    receiver.offer(piece(3, 40, 0, 10, crc()));
    receiver.offer(piece(3, 40, 10, STATE.length, crc()));

    await().atMost(10, TimeUnit.SECONDS).until(() -> installed.size() == 1);
    InstallSnapshot whole = installed.get(0);
    assertEquals(List.of(0L, 0L, true, 40L, 3L), List.of(whole.offset(), (long) whole.data().size(), whole.done(),
        whole.lastIncludedIndex(), whole.term()));
    assertEquals(Bytes.wrap(STATE), store.latest().orElseThrow().data());
    assertEquals(List.of(new InstallSnapshotResponse(SELF, LEADER, 3, 40, 10, false)), answers,
        "the first piece is acknowledged with the offset expected next; the core answers the whole");
  }

  @Test
  void pieceAtAWrongOffsetIsNotWrittenAndAnsweredWithTheOffsetExpected() {
    receiver.offer(piece(3, 40, 0, 10, crc()));
    receiver.offer(piece(3, 40, 15, STATE.length, crc())); // past a gap
    receiver.offer(piece(3, 40, 0, 10, crc())); // a duplicate
    awaitAnswers(3);

    assertEquals(List.of(10L, 10L, 10L), answers.stream().map(a -> ((InstallSnapshotResponse) a).nextOffset()).toList());
    receiver.offer(piece(3, 40, 10, STATE.length, crc()));
    await().atMost(10, TimeUnit.SECONDS).until(() -> installed.size() == 1);
    assertEquals(Bytes.wrap(STATE), store.latest().orElseThrow().data(), "the gap and the duplicate left no trace");
  }

  @Test
  void pieceOfAnotherSnapshotAtAnOffsetIsAnsweredWithZeroAndKeepsTheTransfer() {
    receiver.offer(piece(3, 40, 0, 10, crc()));
    receiver.offer(piece(4, 50, 10, 20, crc())); // another leader term and snapshot, not from its start
    awaitAnswers(2);

    assertEquals(0, lastNextOffset());
    receiver.offer(piece(3, 40, 10, STATE.length, crc()));
    await().atMost(10, TimeUnit.SECONDS).until(() -> installed.size() == 1);
    assertEquals(40, installed.get(0).lastIncludedIndex());
  }

  @Test
  void aNewLeaderTermStartsTheTransferOverFromZero() {
    receiver.offer(piece(3, 40, 0, 10, crc()));
    receiver.offer(piece(4, 40, 0, 10, crc())); // the next leader sends the same snapshot from the start
    receiver.offer(piece(3, 40, 10, STATE.length, crc())); // a late piece of the old transfer
    awaitAnswers(3);
    assertEquals(0, lastNextOffset(), "the old transfer is gone");
    assertTrue(installed.isEmpty());

    receiver.offer(piece(4, 40, 10, STATE.length, crc()));
    await().atMost(10, TimeUnit.SECONDS).until(() -> installed.size() == 1);
    assertEquals(4, installed.get(0).term());
  }

  @Test
  void aWholeThatFailsItsChecksumIsDiscardedAndStartedOver() {
    receiver.offer(piece(3, 40, 0, 10, crc()));
    receiver.offer(piece(3, 40, 10, STATE.length, crc() ^ 1));
    awaitAnswers(2);

    assertEquals(0, lastNextOffset());
    assertTrue(installed.isEmpty());
    assertTrue(store.newest().isEmpty(), "nothing of a damaged transfer is stored");
  }

  /**
   * The bound on pieces waiting for the receiver's thread is back-pressure, not a size limit: a
   * piece alone in the queue is taken however large (as the node's inbound bound does), or a
   * leader whose pieces are larger than the bound (a transport without a message limit and large
   * {@code snapshotChunkBytes}) could never get a snapshot to this node.
   */
  @Test
  void aPieceLargerThanTheQueueBoundIsTakenWhenNothingElseWaits() {
    int size = (int) SnapshotReceiver.MAX_QUEUED_BYTES + 1;
    byte[] data = new byte[size + 4];
    CRC32C crc = new CRC32C();
    crc.update(data, 0, size);
    ByteBuffer.wrap(data, size, 4).putInt((int) crc.getValue());

    receiver.offer(new InstallSnapshot(LEADER, SELF, 3, 40, 2, CONFIG, 0, Bytes.wrap(data), true));

    await().atMost(20, TimeUnit.SECONDS).until(() -> installed.size() == 1);
    assertEquals(size, store.newest().orElseThrow().size());
  }

  @Test
  void lastPieceTooShortForItsChecksumIsRefused() {
    receiver.offer(new InstallSnapshot(LEADER, SELF, 3, 40, 2, CONFIG, 0, Bytes.wrap(new byte[] {1, 2}), true));
    awaitAnswers(1);

    assertEquals(0, lastNextOffset());
    assertTrue(installed.isEmpty());
    assertTrue(store.newest().isEmpty());
  }
}
