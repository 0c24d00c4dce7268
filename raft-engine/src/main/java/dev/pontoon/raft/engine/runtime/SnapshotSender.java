package dev.pontoon.raft.engine.runtime;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.SnapshotMeta;
import dev.pontoon.raft.message.InstallSnapshot;
import dev.pontoon.raft.message.InstallSnapshotResponse;
import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.storage.SnapshotStore;
import dev.pontoon.raft.storage.SnapshotStore.StoredSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's side of a streamed snapshot (§7): when the core asks for a snapshot to be sent to
 * a follower (it emits an {@code InstallSnapshot} without bytes), this worker reads the newest
 * stored snapshot from the {@link SnapshotStore} and sends it in pieces of at most
 * {@link SnapshotPolicy#chunkBytes()}, never more than {@link SnapshotPolicy#maxChunksInFlight()}
 * unacknowledged per follower, within an optional bytes-per-second budget. The snapshot is
 * never read into memory: at most a window of pieces exists at once.
 *
 * <p><b>Acknowledgements.</b> The follower answers each piece with the offset it expects next
 * ({@link SnapshotReceiver}). The window slides on progress; an answer below what was sent
 * (a lost or reordered piece) is resent from, after {@link #RESEND_TICKS} ticks without
 * progress (go-back-N); an answer of 0 restarts from the beginning (the follower restarted, or a
 * checksum failed there). A success answer (from the follower's core, once installed) ends the
 * transfer. A transfer without progress for {@link #GIVE_UP_ROUNDS} resend rounds is abandoned:
 * the core asks again after its own timeout. Losing leadership ends every transfer.
 *
 * <p><b>Newer snapshots meanwhile.</b> A transfer keeps one stream over its snapshot open from
 * its first piece to its end, and a go-back opens the snapshot again before closing that stream,
 * so the store keeps the snapshot readable however many newer ones the leader takes meanwhile
 * ({@link SnapshotStore}'s reader rules). If the snapshot is gone anyway (pruned before the first
 * piece, or a store that breaks the rules), the transfer starts over at once with the newest
 * snapshot, from offset 0, rather than wait for the core's snapshot timeout.
 *
 * <p><b>A damaged snapshot.</b> If the newest snapshot cannot be read (it fails its checksum, or
 * cannot be opened) and none newer is there, the transfer is dropped and the node is asked to take
 * a new snapshot now ({@code onUnreadable}), so that the core's next request, after its snapshot
 * timeout, finds a sound one. Without that, only enough new entries would bring a new snapshot,
 * and in an idle cluster the follower would never catch up.
 *
 * <p><b>Threading.</b> Runs on its own task queue ({@code -snapshot-out}); its messages are sent
 * through the event loop. Time comes from the scheduler and ticks from the event loop, so the
 * simulator replays it.
 */
final class SnapshotSender {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotSender.class);
  /** Ticks without progress after which unacknowledged pieces are resent. */
  static final int RESEND_TICKS = 4;
  /** Resend rounds without progress after which a transfer is abandoned. */
  static final int GIVE_UP_ROUNDS = 8;
  /** Room in a message for everything but the snapshot bytes (ids, numbers, framing). */
  static final int MESSAGE_OVERHEAD = 1024;

  private record Start(InstallSnapshot request) {}

  private record Answer(InstallSnapshotResponse response) {}

  private record Tick() {}

  private record StopAll() {}

  private static final Tick TICK = new Tick();
  private static final StopAll STOP_ALL = new StopAll();

  private final class Transfer {
    final NodeId peer;
    final long term;
    final StoredSnapshot stored;
    final int chunk;
    final long startNanos;
    InputStream in;
    long position;
    long sent;
    long acked;
    /** Whether the last piece went out since the last go-back. */
    boolean finalSent;
    int idleTicks;
    int idleRounds;
    double budget;
    long budgetNanos;

    Transfer(NodeId peer, long term, StoredSnapshot stored, int chunk) {
      this.peer = peer;
      this.term = term;
      this.stored = stored;
      this.chunk = chunk;
      this.startNanos = scheduler.nanoTime();
      this.budgetNanos = startNanos;
      this.budget = chunk;
    }

    SnapshotMeta meta() {
      return stored.meta();
    }

    void close() {
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          LOG.debug("closing a snapshot stream failed", e);
        }
        in = null;
      }
    }
  }

  private final NodeId id;
  private final SnapshotStore store;
  private final SnapshotPolicy policy;
  private final int maxMessageBytes;
  private final NodeScheduler scheduler;
  private final NodeMetrics metrics;
  private final Consumer<RaftMessage> send;
  private final TaskQueue<Object> thread;
  /** Told the index of a newest snapshot that cannot be read, so that a new one is taken. */
  private final LongConsumer onUnreadable;
  private final Map<NodeId, Transfer> transfers = new HashMap<>();
  /** Per follower, the snapshot index last announced at INFO: retries of it are logged at DEBUG. */
  private final Map<NodeId, Long> announced = new HashMap<>();

  SnapshotSender(NodeId id, NodeScheduler scheduler, String threadName, SnapshotStore store, SnapshotPolicy policy,
      int maxMessageBytes, NodeMetrics metrics, Consumer<RaftMessage> send, LongConsumer onUnreadable,
      Consumer<Throwable> onFatal) {
    this.id = id;
    this.onUnreadable = onUnreadable;
    this.store = store;
    this.policy = policy;
    this.maxMessageBytes = maxMessageBytes;
    this.scheduler = scheduler;
    this.metrics = metrics;
    this.send = send;
    this.thread = scheduler.newQueue(threadName, 256, this::handle, onFatal);
  }

  void start() {
    thread.start();
  }

  void stop() {
    thread.stop();
    transfers.values().forEach(Transfer::close);
    transfers.clear();
  }

  boolean isCurrentThread() {
    return thread.isCurrentThread();
  }

  /** Event loop: the core asks for the snapshot to be sent ({@code request} holds no bytes). */
  void requested(InstallSnapshot request) {
    thread.offer(new Start(request));
  }

  /** Event loop: a follower answered, in this leader's term. */
  void answered(InstallSnapshotResponse response) {
    thread.offer(new Answer(response));
  }

  /** Event loop: one tick passed. */
  void tick() {
    thread.offer(TICK);
  }

  /** Event loop: this node is no longer leader of the term its transfers belong to. */
  void stopAll() {
    thread.offer(STOP_ALL);
  }

  private void handle(List<Object> batch) {
    for (Object item : batch) {
      if (item instanceof Start s) {
        start(s.request());
      } else if (item instanceof Answer a) {
        answer(a.response());
      } else if (item instanceof Tick) {
        tickAll();
      } else if (item instanceof StopAll) {
        transfers.values().forEach(Transfer::close);
        transfers.clear();
      }
    }
  }

  private void start(InstallSnapshot request) {
    NodeId peer = request.to();
    Transfer existing = transfers.get(peer);
    if (existing != null && existing.term == request.term()
        && existing.meta().lastIncludedIndex() >= request.lastIncludedIndex()) {
      return; // already under way: the core asks again when its own timer runs out
    }
    Optional<StoredSnapshot> newest = store.newest();
    if (newest.isEmpty() || newest.get().meta().lastIncludedIndex() < request.lastIncludedIndex()) {
      LOG.warn("{}: asked to send snapshot {} to {} but the store holds {}", id, request.lastIncludedIndex(), peer,
          newest.map(s -> "snapshot " + s.meta().lastIncludedIndex()).orElse("none"));
      return;
    }
    if (existing != null) {
      transfers.remove(peer);
      existing.close();
    }
    begin(peer, request.term(), newest.get());
  }

  /** Starts sending {@code stored} to {@code peer} from offset 0. */
  private void begin(NodeId peer, long term, StoredSnapshot stored) {
    int configBytes = stored.meta().config().toBytes().size();
    int room = maxMessageBytes - MESSAGE_OVERHEAD - configBytes - SnapshotReceiver.TRAILER;
    if (room < 1) {
      LOG.error("{}: the transport's largest message ({} bytes) leaves no room for snapshot bytes", id,
          maxMessageBytes);
      return;
    }
    Transfer t = new Transfer(peer, term, stored, Math.min(policy.chunkBytes(), room));
    transfers.put(peer, t);
    boolean retry = Long.valueOf(stored.meta().lastIncludedIndex()).equals(announced.put(peer,
        stored.meta().lastIncludedIndex()));
    if (retry) {
      LOG.debug("{} sends snapshot at {} to {} again", id, stored.meta().lastIncludedIndex(), peer);
    } else {
      LOG.info("{} sends snapshot at {} ({} bytes) to {} in pieces of {} bytes", id,
          stored.meta().lastIncludedIndex(), stored.size(), peer, t.chunk);
    }
    fill(t);
  }

  private void answer(InstallSnapshotResponse r) {
    Transfer t = transfers.get(r.from());
    if (t == null || r.term() != t.term || r.lastIncludedIndex() != t.meta().lastIncludedIndex()) {
      return;
    }
    if (r.success()) {
      transfers.remove(r.from());
      t.close();
      metrics.snapshotsSent.increment();
      metrics.snapshotSendDuration.record(scheduler.nanoTime() - t.startNanos, TimeUnit.NANOSECONDS);
      LOG.info("{} sent snapshot at {} to {}", id, t.meta().lastIncludedIndex(), t.peer);
      return;
    }
    long next = r.nextOffset();
    if (next < t.acked) {
      // The follower holds less than was taken as acknowledged: it started over (it restarted, or
      // the whole failed its check there), after a late answer from before had moved the sender
      // past what it now holds. Going back is safe even if this answer is the late one: the
      // follower stores only the piece at the offset it expects and answers that offset again.
      goBack(t, next);
    } else if (next > t.sent) {
      // The follower holds more of this very snapshot than this transfer sent (it was restarted
      // here): go on from there.
      goBack(t, next);
      t.acked = next;
    } else if (next > t.acked) {
      t.acked = next;
      t.idleTicks = 0;
      t.idleRounds = 0;
    }
    fill(t);
  }

  private static void goBack(Transfer t, long offset) {
    t.sent = offset;
    t.acked = Math.min(t.acked, offset);
    t.finalSent = false;
    t.idleTicks = 0;
  }

  private void tickAll() {
    for (Transfer t : List.copyOf(transfers.values())) {
      if ((t.finalSent || t.sent > t.acked) && ++t.idleTicks >= RESEND_TICKS) {
        if (++t.idleRounds > GIVE_UP_ROUNDS) {
          LOG.debug("{} abandons sending snapshot at {} to {}: no progress", id, t.meta().lastIncludedIndex(), t.peer);
          transfers.remove(t.peer);
          t.close();
          continue;
        }
        goBack(t, t.acked); // resend what was not acknowledged
      }
      fill(t);
    }
  }

  /** Sends pieces while the window and the rate budget allow; the last one ends with the checksum. */
  private void fill(Transfer t) {
    long size = t.stored.size();
    long window = (long) policy.maxChunksInFlight() * t.chunk;
    while (transfers.get(t.peer) == t && !t.finalSent && t.sent - t.acked < window) {
      int length = (int) Math.min(t.chunk, size - t.sent);
      if (!withinBudget(t, length) || !sendPiece(t, t.sent, length)) {
        return;
      }
      t.sent += length;
      t.finalSent = t.sent == size;
    }
  }

  private boolean withinBudget(Transfer t, int length) {
    long rate = policy.maxBytesPerSecond();
    if (rate <= 0) {
      return true;
    }
    long now = scheduler.nanoTime();
    t.budget = Math.min(Math.max(t.chunk, rate), t.budget + (now - t.budgetNanos) * rate / 1e9);
    t.budgetNanos = now;
    if (t.budget < length) {
      return false; // wait for a later tick
    }
    t.budget -= length;
    return true;
  }

  /**
   * Positions the transfer's stream at {@code offset} on a fresh stream. The new stream is opened
   * before the one held is closed: a snapshot stays readable while a stream over it is open
   * (SnapshotStore, "Readers", rule 2), so the store cannot delete it in between, however many
   * newer snapshots were taken since the transfer began.
   */
  private static void reopenAt(Transfer t, long offset) throws IOException {
    InputStream held = t.in;
    t.in = null;
    try {
      InputStream in = t.stored.open();
      try {
        // skip may stop short without being at the end; skipNBytes does not
        in.skipNBytes(offset);
      } catch (java.io.EOFException e) {
        in.close();
        throw new IOException("the snapshot file ends before offset " + offset, e);
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
      t.in = in;
      t.position = offset;
    } finally {
      if (held != null) {
        try {
          held.close();
        } catch (IOException e) {
          LOG.debug("closing a snapshot stream failed", e);
        }
      }
    }
  }

  /**
   * {@code t}'s snapshot could not be read. A store may let a snapshot go once no stream holds it
   * (between {@code newest()} and the first {@code open()}), and a store that breaks the reader
   * rules may let it go at any time: if a newer snapshot is there, it covers committed entries
   * too, and the follower takes a piece at offset 0 of another snapshot as a new transfer
   * (SnapshotReceiver), so start over with it at once rather than leave the follower waiting for
   * the core's snapshot timeout. Otherwise the snapshot itself is unreadable (damaged): drop the
   * transfer and have the node take a new snapshot, which the core's next request finds.
   */
  private void startOverWithNewer(Transfer t, Exception cause) {
    long index = t.meta().lastIncludedIndex();
    Optional<StoredSnapshot> newer;
    try {
      newer = store.newest().filter(s -> s.meta().lastIncludedIndex() > index);
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
      newer = Optional.empty();
    }
    if (newer.isEmpty()) {
      // Resending the same bytes would fail the same way, and the snapshot policy takes a new
      // snapshot only after enough new entries, which an idle cluster never gets: the follower
      // would stay behind for good although the state machine is healthy. Ask for a new one now.
      LOG.error("{}: snapshot at {} is damaged or unreadable, cannot send it to {}: {}; taking a new snapshot", id,
          index, t.peer, cause.toString());
      onUnreadable.accept(index);
      return;
    }
    LOG.info("{}: snapshot at {} is gone ({}); sending the newest, at {}, to {} from the start", id, index,
        cause.toString(), newer.get().meta().lastIncludedIndex(), t.peer);
    begin(t.peer, t.term, newer.get());
  }

  /** Reads {@code length} bytes at {@code offset} and sends them; the last piece carries the checksum. */
  private boolean sendPiece(Transfer t, long offset, int length) {
    boolean done = offset + length == t.stored.size();
    byte[] data = new byte[done ? length + SnapshotReceiver.TRAILER : length];
    try {
      if (t.in == null || t.position != offset) {
        reopenAt(t, offset);
      }
      int read = t.in.readNBytes(data, 0, length);
      if (read != length) {
        throw new IOException("the snapshot file ended " + (length - read) + " bytes early");
      }
      t.position += length;
      if (done) {
        // Reading the last byte made the stream check the whole against its stored checksum.
        ByteBuffer.wrap(data, length, SnapshotReceiver.TRAILER).putInt(t.stored.checksum());
      }
    } catch (IOException | RuntimeException e) {
      transfers.remove(t.peer);
      t.close();
      startOverWithNewer(t, e);
      return false;
    }
    SnapshotMeta meta = t.meta();
    metrics.snapshotBytesSent.increment(length);
    send.accept(new InstallSnapshot(id, t.peer, t.term, meta.lastIncludedIndex(), meta.lastIncludedTerm(),
        meta.config(), offset, Bytes.wrap(data), done));
    return true;
  }
}
