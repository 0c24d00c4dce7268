package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.SnapshotStore.SnapshotSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A follower's side of a streamed snapshot (§7, Figure 13 steps 2-5): writes the pieces the
 * current leader sends into a new snapshot of the {@link SnapshotStore}, in order, checks the
 * CRC32C of the whole against the one the last piece carries, commits it (atomically), and only
 * then hands the core the whole snapshot as one {@code InstallSnapshot} at offset 0 marked done,
 * without bytes, which the core installs as Figure 13 says. A snapshot is never installed half:
 * until the check passes it is a temporary file the store discards.
 *
 * <p><b>Pieces.</b> The event loop passes only pieces whose term the core accepted from the
 * leader it follows. A transfer is one (leader, term, last included index and term). A piece
 * at the offset expected next is written and acknowledged with the next offset expected
 * ({@code success = false}, {@code nextOffset > 0}: the leader's core reads that as progress);
 * a duplicate or a piece past a gap is not written, and answered with the offset expected, so
 * that the leader resends from there. A piece of another transfer starts it over if it is at
 * offset 0 and is not an older snapshot of the same leader and term (a late duplicate); at any
 * other offset it is answered with offset 0 ("start over"). A leader change or a restart of
 * this node therefore restarts the transfer from 0; a checksum mismatch discards it and
 * answers 0. A transfer no leader goes on with (its leader died, and the next one caught this
 * node up with entries) keeps its temporary file until the next transfer begins or the node
 * stops: one at most, never more than one snapshot's size.
 *
 * <p><b>Wire layout.</b> The bytes of the snapshot at their offsets; the last piece ends with 4
 * more bytes, the CRC32C (big-endian) of the whole snapshot, which offsets do not count.
 *
 * <p><b>Threading.</b> Runs on its own task queue ({@code -snapshot-in}), so that disk writes
 * never hold up the event loop. At most {@link #MAX_QUEUED_BYTES} of pieces wait for it; more
 * are dropped (the leader resends), but a piece alone in the queue is taken however large. Its
 * answers leave through the event loop, which sends each only once the term it carries is durable
 * (Figure 2; {@code CoreDriver.answerPiece}).
 */
final class SnapshotReceiver {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiver.class);
  /** Bytes of pieces waiting for the receiver's thread beyond which new pieces are dropped. */
  static final long MAX_QUEUED_BYTES = 64L << 20;
  /** Length of the checksum that ends the last piece. */
  static final int TRAILER = 4;

  private record Key(NodeId leader, long term, long index, long lastTerm) {
    static Key of(InstallSnapshot s) {
      return new Key(s.from(), s.term(), s.lastIncludedIndex(), s.lastIncludedTerm());
    }
  }

  /** One transfer in progress. */
  private static final class Transfer {
    final Key key;
    final SnapshotSink sink;
    final CRC32C crc = new CRC32C();
    final long startNanos;
    long next;

    Transfer(Key key, SnapshotSink sink, long startNanos) {
      this.key = key;
      this.sink = sink;
      this.startNanos = startNanos;
    }
  }

  private final NodeId id;
  private final SnapshotStore store;
  private final NodeScheduler scheduler;
  private final NodeMetrics metrics;
  private final Consumer<InstallSnapshotResponse> reply;
  private final Consumer<InstallSnapshot> complete;
  private final TaskQueue<InstallSnapshot> thread;
  /**
   * The pieces waiting for this thread, bounded by bytes only, with the inbound queue's rule: a
   * piece alone is taken however large.
   */
  private final InboundLimit queued = new InboundLimit(Integer.MAX_VALUE, MAX_QUEUED_BYTES);
  private Transfer current;
  /** The last transfer stored: late pieces of it are ignored silently. */
  private Key lastStored;

  /**
   * @param reply sends an answer to the leader (through the event loop, once the term it carries
   *     is durable)
   * @param complete steps the whole snapshot, stored and checked, into the core (on the event loop)
   */
  SnapshotReceiver(NodeId id, NodeScheduler scheduler, String threadName, SnapshotStore store, NodeMetrics metrics,
      Consumer<InstallSnapshotResponse> reply, Consumer<InstallSnapshot> complete, Consumer<Throwable> onFatal) {
    this.id = id;
    this.store = store;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.reply = reply;
    this.complete = complete;
    this.thread = scheduler.newQueue(threadName, 64, this::handle, onFatal);
  }

  void start() {
    thread.start();
  }

  /** Stops the thread and discards a transfer in progress. */
  void stop() {
    thread.stop();
    abort();
  }

  boolean isCurrentThread() {
    return thread.isCurrentThread();
  }

  /** Event loop: a piece from the leader the core follows, in its current term. */
  void offer(InstallSnapshot piece) {
    long size = piece.data().size();
    // A piece alone in the queue is taken however large: the bound is back-pressure on a leader
    // that sends faster than this disk writes, not a size limit, or pieces larger than it (a
    // transport without a message limit, a large chunkBytes) would be dropped at every resend and
    // the snapshot would never arrive.
    if (!queued.tryAcquire(size)) {
      metrics.dropped("overload");
      return;
    }
    if (!thread.offer(piece)) {
      queued.release(size);
    }
  }

  private void handle(List<InstallSnapshot> batch) throws IOException {
    for (InstallSnapshot piece : batch) {
      queued.release(piece.data().size());
      receive(piece);
    }
  }

  private void receive(InstallSnapshot piece) throws IOException {
    Key key = Key.of(piece);
    if (key.equals(lastStored)) {
      return; // a late duplicate of a snapshot already stored and handed to the core
    }
    if (current == null || !current.key.equals(key)) {
      if (current != null && isOlderOfSameLeader(key, current.key)) {
        return; // a late piece of a transfer the leader has since replaced with a newer snapshot
      }
      if (piece.offset() != 0) {
        answer(piece, 0);
        return;
      }
      abort();
      current = new Transfer(key, store.create(new SnapshotMeta(piece.lastIncludedIndex(), piece.lastIncludedTerm(),
          piece.config())), scheduler.nanoTime());
      LOG.debug("{} receives snapshot at {} (term {}) from {}", id, key.index(), key.lastTerm(), key.leader());
    }
    Transfer t = current;
    if (piece.offset() != t.next) {
      answer(piece, t.next); // a duplicate, or a piece past a gap: resend from what is expected
      return;
    }
    Bytes data = piece.data();
    int payload = piece.done() ? data.size() - TRAILER : data.size();
    if (payload < 0) {
      LOG.warn("{}: the last piece of snapshot {} from {} is {} bytes long, too short for its checksum; starting over",
          id, key.index(), key.leader(), data.size());
      abort();
      answer(piece, 0);
      return;
    }
    byte[] bytes = data.toByteArray();
    t.sink.stream().write(bytes, 0, payload);
    t.crc.update(bytes, 0, payload);
    t.next += payload;
    metrics.snapshotBytesReceived.increment(payload);
    if (!piece.done()) {
      answer(piece, t.next);
      return;
    }
    int expected = ByteBuffer.wrap(bytes, payload, TRAILER).getInt();
    int actual = (int) t.crc.getValue();
    if (expected != actual) {
      LOG.warn("{}: snapshot {} from {} failed its CRC32C check ({} bytes, expected {}, computed {}); discarded, "
          + "starting over", id, key.index(), key.leader(), t.next, Integer.toHexString(expected),
          Integer.toHexString(actual));
      abort();
      answer(piece, 0);
      return;
    }
    t.sink.commit();
    current = null;
    lastStored = key;
    metrics.snapshotsReceived.increment();
    metrics.snapshotReceiveDuration.record(scheduler.nanoTime() - t.startNanos, TimeUnit.NANOSECONDS);
    LOG.info("{} received snapshot at {} (term {}, {} bytes) from {}", id, key.index(), key.lastTerm(), t.next,
        key.leader());
    complete.accept(new InstallSnapshot(piece.from(), piece.to(), piece.term(), piece.lastIncludedIndex(),
        piece.lastIncludedTerm(), piece.config(), 0, Bytes.EMPTY, true));
  }

  private static boolean isOlderOfSameLeader(Key piece, Key current) {
    return piece.leader().equals(current.leader()) && piece.term() == current.term() && piece.index() < current.index();
  }

  private void answer(InstallSnapshot piece, long nextOffset) {
    reply.accept(new InstallSnapshotResponse(piece.to(), piece.from(), piece.term(), piece.lastIncludedIndex(),
        nextOffset, false));
  }

  private void abort() {
    Transfer t = current;
    current = null;
    if (t != null) {
      t.sink.close();
    }
  }
}
